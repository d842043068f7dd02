package minutes

import (
	"bytes"
	"html/template"
)

// HTML returns the minutes as one self-contained HTML page (inline CSS, A4
// print styles), in Vietnamese ("vi", the default) or English ("en").
func (m *Minutes) HTML(lang string) ([]byte, error) {
	var buf bytes.Buffer
	if err := page.Execute(&buf, m.doc(lang)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var page = template.Must(template.New("minutes").Funcs(template.FuncMap{
	"last": func(i int, list []string) bool { return i == len(list)-1 },
	"align": func(right []bool, i int) string {
		if i < len(right) && right[i] {
			return "r"
		}
		return ""
	},
	"pct": func(f float64) string { return template.HTMLEscapeString(formatPct(f)) },
}).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<title>{{.Title}} — {{.Subject}}</title>
<style>
@page { size: A4; margin: 20mm 20mm 20mm 30mm; }
html { background: #f4f4f4; }
body { font-family: "Times New Roman", "Liberation Serif", Times, serif; font-size: 14pt; line-height: 1.35; color: #000;
  background: #fff; max-width: 160mm; margin: 10mm auto; padding: 20mm 20mm 20mm 30mm; }
@media print { html, body { background: none; } body { margin: 0; padding: 0; max-width: none; } }
table.head { width: 100%; border-collapse: collapse; margin-bottom: 6mm; }
table.head td { vertical-align: top; text-align: center; width: 50%; padding: 0; }
.up { text-transform: none; }
.b { font-weight: bold; }
.i { font-style: italic; }
.motto { font-weight: bold; }
.rule { display: inline-block; border-top: 1px solid #000; width: 40%; margin: 1mm 0; height: 0; }
h1 { font-size: 16pt; text-align: center; margin: 6mm 0 0; }
.subject { text-align: center; font-weight: bold; margin: 1mm 0 0; }
.draft { text-align: center; color: #a00; font-weight: bold; letter-spacing: 0.2em; margin: 2mm 0 0; }
.draftnote { text-align: center; font-style: italic; font-size: 12pt; margin: 0 0 4mm; }
.rev { text-align: center; font-size: 12pt; margin: 0 0 4mm; }
h2 { font-size: 14pt; margin: 5mm 0 2mm; }
h3 { font-size: 14pt; margin: 4mm 0 1mm; }
h4 { font-size: 14pt; font-style: italic; margin: 3mm 0 1mm; }
p { margin: 1mm 0; text-align: justify; }
p.label { font-weight: bold; }
p.small { font-size: 10.5pt; font-family: "Liberation Mono", monospace; word-break: break-all; }
table.t { width: 100%; border-collapse: collapse; margin: 2mm 0; font-size: 12pt; page-break-inside: auto; }
table.t th, table.t td { border: 1px solid #000; padding: 1mm 1.5mm; vertical-align: top; text-align: left; }
table.t th { font-weight: bold; text-align: center; }
table.t td.r { text-align: right; white-space: nowrap; }
table.t tr { page-break-inside: avoid; }
table.sign { width: 100%; margin-top: 8mm; page-break-inside: avoid; }
table.sign td { width: 50%; text-align: center; vertical-align: top; }
table.sign td.name { padding-top: 22mm; font-weight: bold; vertical-align: bottom; }
</style>
</head>
<body>
<table class="head"><tr>
<td>{{range $i, $l := .Left}}<div{{if last $i $.Left}} class="b"{{end}}>{{$l}}</div>{{end}}{{if .Left}}<div>*</div>{{end}}{{if .Number}}<div>{{.Number}}</div>{{end}}</td>
<td><div class="motto">{{.Right1}}</div>{{if .Right2}}<div class="motto">{{.Right2}}</div>{{end}}<div class="rule"></div>{{if .PlaceDate}}<div class="i">{{.PlaceDate}}</div>{{end}}</td>
</tr></table>
<h1>{{.Title}}</h1>
<p class="subject">{{.Subject}}</p>
{{if .Draft}}<p class="draft">{{.Draft}}</p><p class="draftnote">{{.DraftNote}}</p>{{else}}<p class="rev">{{.Revision}}</p>{{end}}
{{range .Blocks}}{{template "block" .}}{{end}}
<table class="sign"><tr>{{range .Signs}}<td>{{range .Lines}}<div class="b">{{.}}</div>{{end}}<div class="i">{{.Hint}}</div></td>{{end}}</tr>
<tr>{{range .Signs}}<td class="name">{{.Name}}</td>{{end}}</tr></table>
{{if .Corrections}}<h2>{{.CorrectionsTitle}}</h2>{{range .Corrections}}{{template "block" .}}{{end}}{{end}}
</body>
</html>
{{define "block"}}{{if eq .Kind 0}}<h2>{{.Text}}</h2>
{{else if eq .Kind 1}}<h3>{{.Text}}</h3>
{{else if eq .Kind 2}}<h4>{{.Text}}</h4>
{{else if eq .Kind 3}}<p>{{.Text}}</p>
{{else if eq .Kind 4}}<p class="label">{{.Text}}</p>
{{else if eq .Kind 5}}<table class="t">{{$b := .}}<colgroup>{{range .Widths}}<col style="width:{{pct .}}">{{end}}</colgroup>
<tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range $i, $c := .}}<td{{with align $b.Right $i}} class="{{.}}"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</table>
{{else if eq .Kind 6}}<p class="small">{{.Text}}</p>
{{end}}{{end}}`))
