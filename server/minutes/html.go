package minutes

import (
	"bytes"
	"html/template"
	"strings"
)

// HTML returns the minutes as one self-contained HTML page (inline CSS, A4
// print styles), in Vietnamese ("vi", the default) or English ("en").
func (m *Minutes) HTML(lang string) ([]byte, error) { return renderHTML(m.doc(lang)) }

// renderHTML renders a printed record as HTML, with the sizes of its
// layout (HD 36 or NĐ 30) in points.
func renderHTML(d *doc) ([]byte, error) {
	sz := partySizes
	if !d.Party {
		sz = stateSizes
	}
	var buf bytes.Buffer
	if err := page.Execute(&buf, struct {
		*doc
		S sizes
	}{d, sz}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var page = template.Must(template.New("record").Funcs(template.FuncMap{
	"last": func(i int, list []string) bool { return i == len(list)-1 },
	"pct":  func(f float64) string { return template.HTMLEscapeString(formatPct(f)) },
}).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<title>{{.Title}} — {{.Subject}}</title>
<style>
@page { size: A4; margin: 20mm 20mm 20mm 30mm; }
html { background: #f4f4f4; }
body { font-family: "Times New Roman", "Liberation Serif", Times, serif; font-size: {{.S.Body}}pt; line-height: 1.3; color: #000;
  background: #fff; max-width: 160mm; margin: 10mm auto; padding: 20mm 20mm 20mm 30mm; }
@media print { html, body { background: none; } body { margin: 0; padding: 0; max-width: none; } }
table.head { width: calc(100% + 15mm); margin-left: -8mm; border-collapse: collapse; margin-bottom: 6mm; }
table.head td { vertical-align: top; text-align: center; padding: 0; }
table.head td.l { width: 42%; font-size: {{.S.Left}}pt; }
table.head td.r { width: 58%; }
.b { font-weight: bold; }
.i { font-style: italic; }
.m1 { font-weight: bold; font-size: {{.S.Motto1}}pt; white-space: nowrap; }
.m2 { font-weight: bold; font-size: {{.S.Motto2}}pt; white-space: nowrap; }
.mottobox { display: inline-block; border-bottom: 1px solid #000; padding-bottom: 0.5mm; margin-bottom: 2mm; }
.orgbox { display: inline-block; }
.orgrule { border-top: 1px solid #000; width: 40%; margin: 1mm auto; height: 0; }
.num { font-size: {{.S.Number}}pt; }
.pd { font-style: italic; font-size: {{.S.PlaceDate}}pt; }
h1 { font-size: {{.S.Title}}pt; text-align: center; margin: 6mm 0 0; }
.subject { text-align: center; font-weight: bold; font-size: {{.S.Subject}}pt; margin: 1mm 0 0; }
.subrule { border-top: 1px solid #000; width: 30mm; margin: 1.5mm auto 4mm; height: 0; }
.draft { text-align: center; color: #a00; font-weight: bold; letter-spacing: 0.2em; margin: 2mm 0 0; }
.draftnote { text-align: center; font-style: italic; font-size: 11pt; margin: 0 0 4mm; }
h2 { font-size: {{.S.Body}}pt; margin: 5mm 0 2mm; }
h3 { font-size: {{.S.Body}}pt; margin: 4mm 0 1mm; }
h4 { font-size: {{.S.Body}}pt; font-style: italic; margin: 3mm 0 1mm; }
p { margin: 1mm 0; text-align: justify; }
p.label { font-weight: bold; }
p.warn { font-weight: bold; color: #a00; }
p.small { font-size: {{.S.Small}}pt; font-family: "Liberation Mono", monospace; word-break: break-all; }
table.t { width: 100%; border-collapse: collapse; margin: 2mm 0; font-size: {{.S.Table}}pt; page-break-inside: auto; }
table.t th, table.t td { border: 1px solid #000; padding: 1mm 1.5mm; vertical-align: top; text-align: left; }
table.t th { font-weight: bold; text-align: center; }
table.t td.r { text-align: right; white-space: nowrap; }
table.t tr, table.t tbody.g { page-break-inside: avoid; }
table.t td[rowspan] { vertical-align: top; }
.signtitle { text-align: center; font-weight: bold; margin-top: 8mm; }
table.sign { width: 100%; margin-top: 6mm; page-break-inside: avoid; }
table.sign td { width: 50%; text-align: center; vertical-align: top; font-weight: bold; }
table.sign td.name { padding-top: 22mm; vertical-align: bottom; }
</style>
</head>
<body>
<table class="head"><tr>
<td class="l">{{range $i, $l := .Left}}<div{{if last $i $.Left}} class="b"{{end}}>{{$l}}</div>{{end}}{{if .Left}}{{if .Party}}<div>*</div>{{else}}<div class="orgrule"></div>{{end}}{{end}}{{if .Number}}<div class="num">{{.Number}}</div>{{end}}</td>
<td class="r"><div class="mottobox">{{if .Right2}}<div class="m1">{{.Right1}}</div><div class="m2">{{.Right2}}</div>{{else}}<div class="m1">{{.Right1}}</div>{{end}}</div>{{if .PlaceDate}}<div class="pd">{{.PlaceDate}}</div>{{end}}</td>
</tr></table>
<h1>{{.Title}}</h1>
<p class="subject">{{.Subject}}</p>
<div class="subrule"></div>
{{if .Draft}}<p class="draft">{{.Draft}}</p><p class="draftnote">{{.DraftNote}}</p>{{end}}
{{range .Blocks}}{{template "block" .}}{{end}}
</body>
</html>
{{define "block"}}{{if eq .Kind 0}}<h2>{{.Text}}</h2>
{{else if eq .Kind 1}}<h3>{{.Text}}</h3>
{{else if eq .Kind 2}}<h4>{{.Text}}</h4>
{{else if eq .Kind 3}}<p>{{.Text}}</p>
{{else if eq .Kind 4}}<p class="label">{{.Text}}</p>
{{else if eq .Kind 5}}<table class="t"><colgroup>{{range .Widths}}<col style="width:{{pct .}}">{{end}}</colgroup>
<thead><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr></thead>
{{$g := .Groups}}{{range .HTMLGroups}}<tbody{{if $g}} class="g"{{end}}>{{range .}}<tr>{{range .}}<td{{with .Class}} class="{{.}}"{{end}}{{if gt .RowSpan 1}} rowspan="{{.RowSpan}}"{{end}}>{{range $k, $l := .Lines}}{{if $k}}<br>{{end}}{{$l}}{{end}}</td>{{end}}</tr>
{{end}}</tbody>
{{end}}</table>
{{else if eq .Kind 6}}<p class="small">{{.Text}}</p>
{{else if eq .Kind 7}}<p class="warn">{{.Text}}</p>
{{else if eq .Kind 8}}{{if .Title}}<p class="signtitle">{{.Title}}</p>{{end}}<table class="sign">{{range .SignRows}}<tr>{{range .}}<td>{{if .}}{{range .Lines}}<div>{{.}}</div>{{end}}<div style="padding-top:22mm">{{.Name}}</div>{{end}}</td>{{end}}</tr>{{end}}</table>
{{end}}{{end}}`))

// htmlCell is a table cell as the HTML prints it: its lines (a new line in
// a cell's text breaks it), its class ("r": a number, right-aligned) and
// how many rows it spans (a merged column of a group).
type htmlCell struct {
	Lines   []string
	Class   string
	RowSpan int
}

// HTMLGroups returns b's rows as cells, by group (each a <tbody class="g">
// kept on one printed page; a table without groups is one <tbody>; the
// header is the <thead>, which a browser repeats on each printed page): a
// merged column (b.Span) appears in its group's first row only, spanning
// the group.
func (b block) HTMLGroups() [][][]htmlCell {
	groups := b.Groups
	if len(groups) == 0 {
		groups = []int{len(b.Rows)} // one <tbody>, broken anywhere
	}
	var out [][][]htmlCell
	at := 0
	for _, n := range groups {
		var group [][]htmlCell
		for k, cells := range b.Rows[at : at+n] {
			var row []htmlCell
			for i, c := range cells {
				span := i < len(b.Span) && b.Span[i]
				if span && k > 0 {
					continue
				}
				cell := htmlCell{Lines: strings.Split(c, "\n"), RowSpan: 1}
				if span {
					cell.RowSpan = n
				}
				if i < len(b.Right) && b.Right[i] {
					cell.Class = "r"
				}
				row = append(row, cell)
			}
			group = append(group, row)
		}
		out = append(out, group)
		at += n
	}
	return out
}
