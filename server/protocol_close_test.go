package server_test

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestProtocolCloseCodes keeps the Closing table of docs/protocol.md true:
// every close code the server sends (httpapi/ws.go) is a row, every 4xxx
// row is a code the server sends, the codes after which the Go SDK does
// not reconnect (client/live.go, and 1000) are exactly the rows whose
// advice is not to reconnect, and every code the web apps treat apart
// (live.js) is documented.
func TestProtocolCloseCodes(t *testing.T) {
	doc := read(t, "../docs/protocol.md")
	start := strings.Index(doc, "## Closing")
	if start < 0 {
		t.Fatal("docs/protocol.md has no Closing section")
	}
	section := doc[start:]
	if end := strings.Index(section[1:], "\n## "); end >= 0 {
		section = section[:end+1]
	}
	rows := map[string]string{} // code → what the client should do
	for _, m := range regexp.MustCompile(`(?m)^\| (\d{4}) \|[^|]*\|([^\n]*)\|$`).FindAllStringSubmatch(section, -1) {
		rows[m[1]] = strings.TrimSpace(m[2])
	}
	if len(rows) < 6 {
		t.Fatalf("found %d rows in the Closing table; want at least 6", len(rows))
	}
	consts := func(src, re string) []string {
		var out []string
		for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(src, -1) {
			out = append(out, m[1])
		}
		sort.Strings(out)
		return slices.Compact(out)
	}
	sent := consts(read(t, "httpapi/ws.go"), `(?m)^\s+close\w+\s*=\s*(\d{4})\b`)
	if len(sent) < 4 {
		t.Fatalf("found the close codes %v in httpapi/ws.go; want at least 4", sent)
	}
	for _, c := range sent {
		if _, ok := rows[c]; !ok {
			t.Errorf("the server closes with %s, which the Closing table of docs/protocol.md does not list", c)
		}
	}
	for c := range rows {
		if strings.HasPrefix(c, "4") && !slices.Contains(sent, c) {
			t.Errorf("the Closing table lists %s, which the server never sends", c)
		}
	}
	// The SDK's codes after which it does not reconnect, and 1000.
	final := append(consts(read(t, "../client/live.go"), `(?m)^\s+close\w+\s*=\s*(\d{4})\b`), "1000")
	sort.Strings(final)
	var stop []string
	for c, advice := range rows {
		if strings.HasPrefix(advice, "stop") || strings.Contains(advice, "do not reconnect") {
			stop = append(stop, c)
		}
	}
	sort.Strings(stop)
	if !slices.Equal(final, stop) {
		t.Errorf("the Go SDK does not reconnect after %v; the Closing table says not to after %v", final, stop)
	}
	for _, c := range consts(read(t, "../client/web/assets/js/live.js"), `ev\.code === (\d{4})`) {
		if _, ok := rows[c]; !ok {
			t.Errorf("live.js treats close code %s apart, which the Closing table does not list", c)
		}
	}
}
