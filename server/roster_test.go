package server_test

import (
	"net/http"
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
)

type rosterBody struct {
	Version      string                `json:"version"`
	Total        int                   `json:"total"`
	Participants []meeting.Participant `json:"participants"`
}

// TestRosterRoute: the roster a tablet's lean view leaves out comes by REST,
// whole, by page or by IDs, cacheable by its ETag until it changes; pairing
// stays the secretariat's; bad parameters are refused with a kind.
func TestRosterRoute(t *testing.T) {
	ts := newTestServer(t)
	sec := ts.secretary(t)
	id := setupMeeting(t, sec, "Nguyễn Văn An,chủ tọa", "Trần Thị Bình,đại biểu", "Lê Văn Cường,đại biểu", "Phạm Minh Dũng,khách mời")
	tab := ts.pair(t, sec, id, "p6") // Trần Thị Bình
	path := "/api/meetings/" + id + "/participants"

	// The tablet's own snapshot lists only itself: the roster is here.
	var view meeting.State
	tab.must(200, "GET", "/api/meetings/"+id, nil, &view)
	if len(view.Participants) != 1 || view.Participants[0].ID != "p6" || view.Lean == nil || view.Lean.Roll.Members.Listed != 3 {
		t.Fatalf("the tablet's view lists %+v, lean %+v; want itself only and a roll of 3 members", view.Participants, view.Lean)
	}
	var all rosterBody
	tab.must(200, "GET", path, nil, &all)
	if all.Total != 4 || len(all.Participants) != 4 || all.Participants[2].Name != "Lê Văn Cường" {
		t.Fatalf("roster = %+v; want the 4 participants in order", all)
	}
	for _, p := range all.Participants {
		if p.Paired {
			t.Errorf("a delegate's roster shows %s paired; pairing is the secretariat's", p.ID)
		}
	}
	var staff rosterBody
	sec.must(200, "GET", path, nil, &staff)
	if !staff.Participants[1].Paired {
		t.Errorf("the secretariat's roster does not show p6 paired: %+v", staff.Participants[1])
	}

	var some rosterBody
	tab.must(200, "GET", path+"?ids=p7,p5,p404", nil, &some)
	if len(some.Participants) != 2 || some.Participants[0].ID != "p5" || some.Participants[1].ID != "p7" || some.Total != 4 {
		t.Errorf("?ids=p7,p5,p404 = %+v; want p5 and p7 (roster order), total 4", some)
	}
	var page rosterBody
	tab.must(200, "GET", path+"?offset=3&limit=2", nil, &page)
	if len(page.Participants) != 1 || page.Participants[0].ID != "p8" {
		t.Errorf("?offset=3&limit=2 = %+v; want p8 only", page)
	}

	// Revalidation: 304 while unchanged, 200 with a new version after.
	get := func(etag string) (int, string) {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("If-None-Match", etag)
		resp, err := tab.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("ETag")
	}
	if code, etag := get(`"` + all.Version + `"`); code != http.StatusNotModified || etag != `"`+all.Version+`"` {
		t.Errorf("revalidating an unchanged roster = %d (ETag %s); want 304", code, etag)
	}
	sec.must(200, "POST", path, map[string]string{"name": "Vũ Thị Em", "role": "delegate"}, nil)
	if code, etag := get(`"` + all.Version + `"`); code != http.StatusOK || etag == `"`+all.Version+`"` {
		t.Errorf("revalidating after participant.add = %d (ETag %s); want 200 and a new version", code, etag)
	}

	for _, q := range []string{"?limit=0", "?offset=-1", "?limit=x", "?ids=" + manyIDs(501)} {
		code, body := tab.do("GET", path+q, nil)
		if code != 400 || errKind(t, body) != meeting.KindInvalid {
			t.Errorf("GET %s = %d %s; want 400 invalid", q, code, body)
		}
	}
	outsider := ts.newUser(t)
	if code, _ := outsider.do("GET", path, nil); code != 401 {
		t.Errorf("the roster without a session = %d; want 401", code)
	}
}

func manyIDs(n int) string {
	b := make([]byte, 0, 4*n)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, 'p', byte('0'+i%10))
	}
	return string(b)
}
