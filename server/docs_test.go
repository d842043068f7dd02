package server_test

import (
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/phonghop/phonghop/server/meeting"
)

// TestOpenAPIMatchesRoutes keeps docs/openapi.yaml true: every route the
// server registers is documented with its method, and every documented
// operation exists.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	ts := newTestServer(t)
	b, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.yaml does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q; want 3.x", doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if method == "parameters" {
				continue
			}
			if m, ok := op.(map[string]any); !ok || m["responses"] == nil {
				t.Errorf("%s %s has no responses", method, path)
			}
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	param := regexp.MustCompile(`:([a-z]+)`)
	var served []string
	for _, r := range ts.srv.Routes() {
		if strings.HasSuffix(r, "/*") || strings.Contains(r, "echo_route_not_found") {
			continue
		}
		served = append(served, param.ReplaceAllString(r, "{$1}"))
	}
	sort.Strings(documented)
	sort.Strings(served)
	served = slices.Compact(served)
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is served but not in docs/openapi.yaml", r)
		}
	}
	for _, r := range documented {
		if !slices.Contains(served, r) {
			t.Errorf("docs/openapi.yaml documents %s, which is not served", r)
		}
	}
}

// TestProtocolDocMatchesCode keeps docs/protocol.md true: every command,
// event type and server message type in the code is documented, and every
// documented one exists.
func TestProtocolDocMatchesCode(t *testing.T) {
	doc := read(t, "../docs/protocol.md")
	ticked := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z_]+(?:\\.[a-z_]+)?)`").FindAllStringSubmatch(doc, -1) {
		ticked[m[1]] = true
	}
	for _, name := range meeting.CommandNames() {
		if !ticked[name] {
			t.Errorf("command %s is not in docs/protocol.md", name)
		}
	}
	// Event types: the constants of event.go.
	events := regexp.MustCompile(`Event\w+\s*=\s*"([a-z_.]+)"`).FindAllStringSubmatch(read(t, "meeting/event.go"), -1)
	if len(events) < 10 {
		t.Fatalf("found only %d event types in event.go", len(events))
	}
	codeEvents := map[string]bool{}
	for _, m := range events {
		codeEvents[m[1]] = true
		if !ticked[m[1]] {
			t.Errorf("event type %s is not in docs/protocol.md", m[1])
		}
	}
	for name := range ticked {
		if strings.Contains(name, ".") && !codeEvents[name] && !slices.Contains(meeting.CommandNames(), name) &&
			(strings.HasPrefix(name, "meeting.") || strings.HasPrefix(name, "agenda.") || strings.HasPrefix(name, "participant.") || strings.HasPrefix(name, "notice.")) {
			t.Errorf("docs/protocol.md names %s, which is neither a command nor an event type", name)
		}
	}
	// Server message types: every `Type: "x"` the server writes is in the
	// doc's "Server → client" table, and every row there is written.
	code := read(t, "httpapi/ws.go") + read(t, "room/room.go")
	written := map[string]bool{}
	for _, m := range regexp.MustCompile(`Type: +"([a-z]+)"`).FindAllStringSubmatch(code, -1) {
		written[m[1]] = true
	}
	section := doc[strings.Index(doc, "## Server → client"):strings.Index(doc, "## Client → server")]
	rows := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z]+)` \\|").FindAllStringSubmatch(section, -1) {
		rows[m[1]] = true
	}
	for typ := range written {
		if !rows[typ] {
			t.Errorf("server message %q is not in the Server → client table", typ)
		}
	}
	for typ := range rows {
		if !written[typ] {
			t.Errorf("the Server → client table lists %q, which the server never sends", typ)
		}
	}
	if len(rows) < 6 {
		t.Errorf("found %d server message rows; want at least 6", len(rows))
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
