package meeting

import (
	"os"
	"reflect"
	"regexp"
	"testing"
)

// TestPayloadMatchesEventDocs checks Payload against event.go: every event
// type constant has an entry, whose type is the one its comment names.
func TestPayloadMatchesEventDocs(t *testing.T) {
	src, err := os.ReadFile("event.go")
	if err != nil {
		t.Fatal(err)
	}
	consts := regexp.MustCompile(`(?m)^\s*Event\w+\s*=\s*"([a-z_.]+)"\s*//\s*(\w+)`).FindAllStringSubmatch(string(src), -1)
	if len(consts) < 40 {
		t.Fatalf("found %d event constants; the pattern is stale", len(consts))
	}
	n := 0
	for _, m := range consts {
		typ, named := m[1], m[2]
		if typ == EventHidden {
			continue
		}
		n++
		mk, ok := payloads[typ]
		if !ok {
			t.Errorf("event %s has no payload entry", typ)
			continue
		}
		got := "none"
		if mk != nil {
			got = reflect.TypeOf(mk()).Elem().Name()
		}
		if got != named {
			t.Errorf("payload of %s = %s; event.go says %s", typ, got, named)
		}
	}
	if len(payloads) != n {
		t.Errorf("payloads has %d entries for %d event types", len(payloads), len(consts))
	}
}

// TestPayloadDecodesRealEvents decodes the events of a realistic meeting.
func TestPayloadDecodesRealEvents(t *testing.T) {
	_, log := givenLog(t, cat(secretOpen(), cmds(votes("v15", []string{"p6"})))...)
	seen := 0
	for _, e := range log {
		p, err := e.Payload()
		if err != nil {
			t.Fatalf("Payload(%s) = %v", e.Type, err)
		}
		if mk := payloads[e.Type]; mk != nil {
			if p == nil || reflect.TypeOf(p) != reflect.TypeOf(mk()) {
				t.Errorf("Payload(%s) = %T; want %T", e.Type, p, mk())
			}
			seen++
		}
	}
	if seen < 10 {
		t.Errorf("decoded %d payloads; want a realistic log", seen)
	}
	if _, err := (Event{Type: "khong.co"}).Payload(); KindOf(err) != KindInvalid {
		t.Errorf("Payload(unknown) = %v; want invalid", err)
	}
	if _, err := (Event{Type: EventItemAdded, Data: []byte("{")}).Payload(); KindOf(err) != KindInvalid {
		t.Errorf("Payload(bad data) = %v; want invalid", err)
	}
}
