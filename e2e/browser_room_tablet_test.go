package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// TestRoomTablet: a delegate's tablet follows the meeting's state and
// leaves nothing stale. Following the presenter shows as on only while a
// page is presented (today it stays on after "stop presenting"); after the
// close nothing is current (today the last item stays marked "Đang thảo
// luận"), the floor cannot be requested, the banner says the tablet still
// reads until the minutes are final, and documents still open; notices
// show Vietnam time whatever the tablet's own zone; once the minutes are
// finalised the documents go and the banner says why, and once archived the
// server refuses the tablet, which says so at its next load.
func TestRoomTablet(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 3)
	m.open()
	doc := m.upload("Báo cáo kiểm điểm của Ban Thường vụ", m.items[1], meeting.AccessDelegates, 3)
	tab := m.pairTablet(b, "tablet", m.delegates[0], 800, 1280)
	setTimezone(t, tab, "America/New_York")
	audit := newA11yAudit(t)
	defer audit.report()
	tab.waitJS(wmCurrent(m.items[1]))

	// Presented: the tablet follows.
	m.cmd("document.present", map[string]any{"document_id": doc, "page": 2})
	tab.waitJS(wmRendered(doc, 1, 2))
	tab.waitJS(`document.querySelector('[data-testid="doc-follow"]').getAttribute("aria-pressed") === "true"`)
	// Stopped: the page stays open to read, following shows off and idle.
	m.cmd("document.present", map[string]any{"document_id": ""})
	tab.waitJS(`(() => { const f = document.querySelector('[data-testid="doc-follow"]'); return f.getAttribute("aria-pressed") === "false" && f.disabled })()`)
	if got := strings.TrimSpace(tab.text("doc-follow")); got != "Không có trình chiếu" {
		t.Errorf("the follow button after the presentation stopped reads %q; want “Không có trình chiếu”", got)
	}
	audit.check(tab, "tablet-viewer-stopped")
	tab.shot("presentation-stopped")
	// Presented again: followed again.
	m.cmd("document.present", map[string]any{"document_id": doc, "page": 3})
	tab.waitJS(wmRendered(doc, 1, 3))
	tab.waitJS(`document.querySelector('[data-testid="doc-follow"]').getAttribute("aria-pressed") === "true"`)
	tab.click("doc-close")
	tab.waitJS(`document.querySelector('[data-testid="doc-viewer"]').hidden`)

	// A notice: its time is Vietnam time (HH:mm).
	m.cmd("notice.send", map[string]any{"text": "Đề nghị các đồng chí về phòng họp đúng giờ."})
	var n meeting.Notice
	for _, x := range m.state().Notices {
		if x.Text == "Đề nghị các đồng chí về phòng họp đúng giờ." {
			n = x
		}
	}
	tab.click("tab-notices")
	tab.waitTestID("notice-" + n.ID)
	if got, want := tab.text("notice-"+n.ID), n.At.In(time.FixedZone("ICT", 7*3600)).Format("15:04"); !strings.HasPrefix(got, want) {
		t.Errorf("the notice reads %q on a tablet set to New York time; want it to start with the Vietnam time %s", got, want)
	}
	tab.click("tab-agenda")

	// Closed: read-only, nothing current.
	m.cmd("meeting.close", nil)
	tab.waitJS(`(document.querySelector('[data-testid="meeting-banner"]')||{dataset:{}}).dataset.status === "closed"`)
	if got := tab.text("meeting-banner"); !strings.Contains(got, "vẫn xem được") {
		t.Errorf("the closed banner reads %q; want it to say the tablet still reads", got)
	}
	tab.waitJS(`![...document.querySelectorAll('[data-testid^="agenda-item-"]')].some(e => e.dataset.current === "true")`)
	if tab.exists(`[data-testid="agenda-list"] .tag`) {
		t.Errorf("an agenda item is still tagged “Đang thảo luận” after the close")
	}
	tab.click("tab-floor")
	tab.waitTestID("floor-nobody")
	for _, id := range []string{"floor-request", "checkin-button"} {
		if tab.exists(testidSel(id)) {
			t.Errorf("after the close the tablet offers %s", id)
		}
	}
	tab.click("tab-agenda")
	audit.check(tab, "tablet-closed")
	tab.shot("closed")
	// Documents still open (read-only until the minutes are final).
	tab.click("doc-open-" + doc)
	tab.waitJS(wmRendered(doc, 1, 1))
	if got := strings.TrimSpace(tab.text("doc-follow")); got != "Không có trình chiếu" {
		t.Errorf("the follow button after the close reads %q", got)
	}
	tab.shot("closed-reading")
	tab.click("doc-close")

	// Finalised (and so archived): no more documents, the banner says why;
	// a reload gets the server's refusal once the archive is written.
	m.cmd("minutes.finalize", map[string]any{"number": "09-BB/ĐU", "layout": "party"})
	tab.waitJS(`(document.querySelector('[data-testid="meeting-banner"]')||{dataset:{}}).dataset.status === "archived"`)
	tab.waitJS(`!document.querySelector('[data-testid="doc-open-` + doc + `"]')`)
	audit.check(tab, "tablet-archived")
	tab.shot("archived")
	deadline := time.Now().Add(20 * time.Second)
	for {
		var list struct {
			Archives []json.RawMessage `json:"archives"`
		}
		if err := getJSON(ctx, m.hc, m.srv.URL+"/api/archives", &list); err == nil && len(list.Archives) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the minutes were not archived")
		}
		time.Sleep(50 * time.Millisecond)
	}
	tab.navigate(m.srv.URL + "/tablet")
	tab.waitTestID("pair-error")
	tab.waitText("Cuộc họp đã được lưu trữ")
}
