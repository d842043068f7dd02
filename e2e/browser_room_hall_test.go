package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// hallQueue is the speakers queue as the hall screen draws it.
type hallQueue struct {
	Names []string `json:"names"` // the names shown
	More  int      `json:"more"`  // "và N người khác"
}

func readHallQueue(p *page) hallQueue {
	p.t.Helper()
	return evalJS[hallQueue](p, `(() => {
		const q = document.querySelector('[data-testid="hall-queue"]');
		const more = document.querySelector('[data-testid="hall-queue-more"]');
		return {names: q ? [...q.querySelectorAll('li:not(.more)')].map(li => li.textContent.trim()) : [], more: more ? +more.dataset.count : 0};
	})()`)
}

// offScreen lists the hall's visible text drawn outside the viewport (a
// projector does not scroll) or the page scrolled.
func offScreen(p *page) []string {
	p.t.Helper()
	return evalJS[[]string](p, `(() => {
		const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight, out = [];
		if (document.documentElement.scrollHeight > vh + 1) out.push('the page is ' + document.documentElement.scrollHeight + ' px tall');
		for (const e of document.querySelectorAll('#app *')) {
			if (e.childElementCount || !e.textContent.trim()) continue;
			const r = e.getBoundingClientRect();
			if (!r.width && !r.height) continue;
			if (r.bottom > vh + 1 || r.right > vw + 1 || r.top < -1 || r.left < -1) out.push(e.textContent.trim().slice(0, 40) + ' at ' + Math.round(r.left) + ',' + Math.round(r.top) + '–' + Math.round(r.right) + ',' + Math.round(r.bottom));
		}
		return out;
	})()`)
}

// TestRoomHall: the hall screen is never blank and never stale. A document
// for the delegates presented gets a placeholder on the hall (today: the
// hall shows nothing of it) and the console warns before presenting it; a
// published result with a queue of nine speakers fits 1920×1080, 1280×720
// and 3840×2160 with every queued name shown or counted (today: the queue is
// cut off at the bottom); the result is cleared when the agenda moves on
// (a poll of the item, and a poll of no item) and everything when the
// meeting closes (today: the result stays up next to a stale item).
func TestRoomHall(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 9)
	m.open()
	audit := newA11yAudit(t)
	defer audit.report()
	forDelegates := m.upload("Dự thảo Nghị quyết (tài liệu cho đại biểu)", m.items[1], meeting.AccessDelegates, 3)
	public := m.upload("Chương trình hội nghị", m.items[0], meeting.AccessPublic, 1)
	hall := m.openHall(b, 1920, 1080)
	con := m.openConsole(b, 1280, 800, "live")

	// The console warns before presenting a document the hall will not show.
	wmSet(t, con, testidSel("present-doc"), forDelegates)
	con.waitTestID("present-hall-warning")
	if got := con.text("present-hall-warning"); !strings.Contains(got, "Màn hình hội trường sẽ không hiện tài liệu này") {
		t.Errorf("the console's warning reads %q", got)
	}
	audit.check(con, "console-present-warning")
	con.shot("present-warning")
	wmSet(t, con, testidSel("present-doc"), public)
	con.waitJS(`document.querySelector('[data-testid="present-hall-warning"]').hidden`)
	wmSet(t, con, testidSel("present-doc"), forDelegates)
	con.click("present-send")
	con.waitJS(`document.querySelector('[data-testid="present-current"]').dataset.doc === ` + wmQ(forDelegates))

	// The hall says a document for the delegates is presented, without it.
	hall.waitTestID("hall-presentation-hidden")
	if evalJS[bool](hall, `!!document.querySelector('[data-testid="hall-presentation"]') || document.body.innerText.includes("Dự thảo Nghị quyết")`) {
		t.Errorf("the hall shows the delegates' document or its title")
	}
	audit.check(hall, "hall-presenting-hidden")
	hall.shot("presenting-hidden")
	// A public page replaces it on the hall; stopping clears both.
	m.cmd("document.present", map[string]any{"document_id": public, "page": 1})
	hall.waitJS(`!!document.querySelector('[data-testid="hall-presentation"]') && !document.querySelector('[data-testid="hall-presentation-hidden"]')`)
	m.cmd("document.present", map[string]any{"document_id": forDelegates, "page": 2})
	hall.waitTestID("hall-presentation-hidden")
	m.cmd("document.present", map[string]any{"document_id": ""})
	hall.waitJS(`!document.querySelector('[data-testid="hall-presentation-hidden"]') && !document.querySelector('[data-testid="hall-presentation"]')`)

	// A result of the current item, with nine speakers waiting.
	voters := m.voters()
	for _, p := range m.delegates {
		m.cmd("speaker.add", map[string]any{"participant": p.ID})
	}
	var ballots []*meeting.Ballot
	for i := range voters {
		c := meeting.ChoiceAgree
		if i%3 == 2 {
			c = meeting.ChoiceDisagree
		}
		ballots = append(ballots, &meeting.Ballot{Choice: c})
	}
	vote := m.poll(map[string]any{"question": "Thông qua Báo cáo kiểm điểm của Ban Thường vụ năm 2026", "kind": "secret", "item": m.items[1]}, voters, ballots)
	hall.waitTestID("result-" + vote)
	for _, size := range [][2]int{{1920, 1080}, {1280, 720}, {3840, 2160}} {
		where := fmt.Sprintf("%d×%d", size[0], size[1])
		hall.resize(size[0], size[1])
		hall.waitTestID("result-" + vote)
		q := readHallQueue(hall)
		if len(q.Names) == 0 || len(q.Names)+q.More != len(m.delegates) {
			t.Errorf("%s: the hall shows %d queued names and %d more; want the %d speakers shown or counted", where, len(q.Names), q.More, len(m.delegates))
		}
		for i, name := range q.Names {
			if name != m.delegates[i].Name {
				t.Errorf("%s: queue position %d shows %q; want %q", where, i+1, name, m.delegates[i].Name)
			}
		}
		for _, s := range offScreen(hall) {
			t.Errorf("%s: %s is off the screen", where, s)
		}
		inView(t, hall, where, testidSel("result-outcome"), 28)
		inView(t, hall, where, testidSel("hall-current"), 28)
		audit.check(hall, "hall-result-"+where)
		hall.shot("result-queue-" + where)
	}
	hall.resize(1920, 1080)

	// The agenda moves on: the result of the last item is cleared.
	m.cmd("agenda.current", map[string]any{"id": m.items[2]})
	hall.waitJS(`document.querySelector('[data-testid="hall-current"]').textContent.includes(` + wmQ(m.itemNames[2]) + `)`)
	hall.waitJS(`!document.querySelector('[data-testid="hall-results"]')`)
	hall.shot("agenda-moved")

	// A poll of no item: up once published, cleared when the agenda moves.
	loose := m.poll(map[string]any{"question": "Thông qua danh sách Ban Kiểm phiếu", "kind": "open"}, voters, ballots)
	hall.waitTestID("result-" + loose)
	m.cmd("agenda.current", map[string]any{"id": m.items[0]})
	hall.waitJS(`document.querySelector('[data-testid="hall-current"]').textContent.includes(` + wmQ(m.itemNames[0]) + `) && !document.querySelector('[data-testid="hall-results"]')`)
	m.cmd("agenda.current", map[string]any{"id": m.items[2]})
	last := m.poll(map[string]any{"question": "Thông qua Nghị quyết hội nghị", "kind": "secret", "item": m.items[2]}, voters, ballots)
	hall.waitTestID("result-" + last)

	// Closed: the hall says so, and nothing of the meeting stays current.
	m.cmd("document.present", map[string]any{"document_id": public, "page": 1})
	hall.waitTestID("hall-presentation")
	m.cmd("meeting.close", nil)
	hall.waitTestID("hall-closed")
	if got := hall.text("hall-current"); strings.Contains(got, m.itemNames[2]) || !strings.Contains(got, "bế mạc") {
		t.Errorf("after the close the hall's current line reads %q", got)
	}
	for _, sel := range []string{"hall-results", "hall-presentation", "hall-speaker", "hall-queue"} {
		if hall.exists(testidSel(sel)) {
			t.Errorf("after the close the hall still shows %s", sel)
		}
	}
	audit.check(hall, "hall-closed")
	hall.shot("closed")
	hall.click("lang-toggle")
	hall.waitText("The meeting is closed")
}
