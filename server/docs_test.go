package server_test

import (
	"context"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/phonghop/phonghop/server/meeting"
)

// TestOpenAPIMatchesRoutes keeps docs/openapi.yaml true and valid: a real
// OpenAPI validator (kin-openapi) accepts it (with its examples); every
// operation has an operationId; every /api operation lists its 4xx
// responses and a 500, and every error response (4xx, 5xx, default) is
// the JSON Error body (kind, message, message_en, problems); every route
// the server registers is documented with its method, and every
// documented operation exists.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	ts := newTestServer(t)
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatalf("docs/openapi.yaml does not load: %v", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Errorf("docs/openapi.yaml is not valid OpenAPI: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q; want 3.x", doc.OpenAPI)
	}

	// The Error body, as server/errors.go writes it.
	errSchema := doc.Components.Schemas["Error"]
	if errSchema == nil || errSchema.Value == nil {
		t.Fatal("no Error schema")
	}
	for _, f := range []string{"kind", "message", "message_en", "problems"} {
		if errSchema.Value.Properties[f] == nil {
			t.Errorf("the Error schema lacks %s", f)
		}
	}
	if !slices.Equal(errSchema.Value.Required, []string{"kind", "message", "message_en"}) {
		t.Errorf("the Error schema requires %v; want kind, message, message_en", errSchema.Value.Required)
	}
	isError := func(r *openapi3.ResponseRef) bool {
		if r == nil || r.Value == nil {
			return false
		}
		mt := r.Value.Content.Get("application/json")
		if mt == nil || mt.Schema == nil {
			return false
		}
		if mt.Schema.Value == errSchema.Value {
			return true
		}
		for _, s := range mt.Schema.Value.AllOf { // Error and more
			if s.Value == errSchema.Value {
				return true
			}
		}
		return false
	}
	// The one error that is not JSON: http.ServeContent's own 416.
	plainText := map[string]bool{"416": true}

	var documented []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			documented = append(documented, where)
			if op.OperationID == "" {
				t.Errorf("%s has no operationId", where)
			}
			if op.Responses == nil || op.Responses.Len() == 0 {
				t.Errorf("%s has no responses", where)
				continue
			}
			has4xx, has500 := false, false
			for code, r := range op.Responses.Map() {
				isErr := code == "default" || code[0] == '4' || code[0] == '5'
				has4xx = has4xx || code[0] == '4'
				has500 = has500 || code == "500"
				if isErr && !plainText[code] && !isError(r) {
					t.Errorf("%s: response %s is not the JSON Error body", where, code)
				}
			}
			if strings.HasPrefix(path, "/api/") && (!has4xx || !has500) {
				t.Errorf("%s: want its 4xx responses and a 500 documented (4xx %v, 500 %v)", where, has4xx, has500)
			}
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
	if len(served) < 50 {
		t.Fatalf("only %d routes served: the comparison would prove little", len(served))
	}
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
