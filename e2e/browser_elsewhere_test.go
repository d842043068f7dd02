package e2e

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/meeting"
)

// Close code 4009 (docs/protocol.md, docs/security.md): a session holds at
// most PHONGHOP_MAX_SOCKETS_PER_SESSION live sockets; opening one more
// closes its oldest. A client that reconnected after 4009 would close the
// newer socket, whose client would reconnect in turn: two tabs of one
// login would take the meeting from each other for ever. These tests run
// the real binary with a cap of 1.

// TestLiveOpenedElsewhere: the Go SDK ends a Live closed with 4009 with
// ErrOpenedElsewhere and does not reconnect, so the newer Live of the same
// session keeps its connection; connecting again takes the meeting back.
// (Before, the SDK retried 4009 like any other code: the first Live never
// ended and the two closed each other in a loop.)
func TestLiveOpenedElsewhere(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv := startServer(t, "127.0.0.1:0", t.TempDir(), "PHONGHOP_MAX_SOCKETS_PER_SESSION=1")
	sec, _ := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Hội nghị thử mở hai nơi"})
	if err != nil {
		t.Fatal(err)
	}
	// A quick backoff: were 4009 retried, the loop would turn many times
	// while the test waits.
	fast := client.WithBackoff(5*time.Millisecond, 20*time.Millisecond)
	first, err := sec.Connect(ctx, id, fast)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := sec.Connect(ctx, id, fast)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	select {
	case <-first.Done():
	case <-time.After(15 * time.Second):
		t.Fatalf("the older Live did not end after 4009 (%d reconnects): it keeps taking the meeting back", first.Stats().Reconnects)
	}
	if err := first.Err(); !errors.Is(err, client.ErrOpenedElsewhere) || meeting.KindOf(err) != meeting.KindConflict {
		t.Errorf("first.Err() = %v; want ErrOpenedElsewhere (kind conflict)", err)
	}
	if _, err := first.Send(ctx, "agenda.add", map[string]any{"title": "Mục từ kết nối đã đóng"}); !errors.Is(err, client.ErrOpenedElsewhere) {
		t.Errorf("Send on the closed Live: %v; want ErrOpenedElsewhere", err)
	}
	// Many backoff periods of the first: the second is never closed.
	time.Sleep(time.Second)
	if n := second.Stats().Reconnects; n != 0 || !second.Connected() {
		t.Errorf("the newer Live reconnected %d times (connected %v); want 0, still connected", n, second.Connected())
	}
	seq, err := second.Send(ctx, "agenda.add", map[string]any{"title": "Khai mạc"})
	if err != nil {
		t.Fatalf("the newer Live: %v", err)
	}
	// Taking it back: a new connection closes the second in its turn.
	third, err := sec.Connect(ctx, id, fast)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if err := third.WaitSeq(ctx, seq); err != nil {
		t.Fatal(err)
	}
	select {
	case <-second.Done():
	case <-time.After(15 * time.Second):
		t.Fatal("the second Live did not end when the third connected")
	}
	if err := second.Err(); !errors.Is(err, client.ErrOpenedElsewhere) {
		t.Errorf("second.Err() = %v; want ErrOpenedElsewhere", err)
	}
	time.Sleep(500 * time.Millisecond)
	if n := third.Stats().Reconnects; n != 0 || !third.Connected() {
		t.Errorf("the third Live reconnected %d times (connected %v); want 0, still connected", n, third.Connected())
	}
}

// watchStatus records, in p, every later value of the connection badge
// (conn-status data-status); statusLog reads them.
func watchStatus(p *page) {
	p.t.Helper()
	evalJS[bool](p, `(() => {
		window.__statusLog = [];
		const el = document.querySelector('[data-testid="conn-status"]');
		new MutationObserver(() => window.__statusLog.push(el.dataset.status)).observe(el, {attributes: true, attributeFilter: ['data-status']});
		return true;
	})()`)
}

func statusLog(p *page) []string {
	p.t.Helper()
	return evalJS[[]string](p, `window.__statusLog || []`)
}

// TestBrowserOpenedElsewhere opens the console, then a delegate's tablet,
// in two tabs of one browser (one session) with a cap of one socket: the
// older tab shows, in Vietnamese and in English, that the meeting was
// opened in another tab or device, stops (no reconnection: the newer tab
// stays online), and takes the meeting back with its button, after which
// the other tab says so in turn. Axe checks the dialog. (Before, the older
// tab reconnected at once and the two tabs closed each other in a loop.)
func TestBrowserOpenedElsewhere(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 3, "PHONGHOP_MAX_SOCKETS_PER_SESSION=1")
	m.open()
	audit := newA11yAudit(t)
	defer audit.report()

	check := func(older, newer *page, app string) {
		t.Helper()
		older.waitTestID("elsewhere-dialog")
		older.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.status === "replaced"`)
		if got := older.text("elsewhere-title"); got != "Cuộc họp đang được mở ở nơi khác" {
			t.Errorf("%s: the dialog says %q", app, got)
		}
		older.shot("opened-elsewhere")
		audit.check(older, app+"-elsewhere-vi")
		setLang(older, "en")
		older.waitJS(`document.querySelector('[data-testid="elsewhere-title"]').textContent === "The meeting is open elsewhere"`)
		audit.check(older, app+"-elsewhere-en")
		setLang(older, "vi")
		watchStatus(older)
		watchStatus(newer)
		// Long enough for a reconnecting tab to have tried many times
		// (its backoff starts at 250 ms).
		time.Sleep(3 * time.Second)
		if log := statusLog(newer); len(log) > 0 {
			t.Errorf("%s: the newer tab's connection changed %v while the older one showed the dialog; want it left online", app, log)
		}
		if log := statusLog(older); len(log) > 0 {
			t.Errorf("%s: the older tab's connection changed %v after 4009; want it stopped", app, log)
		}
		if !newer.exists(testidSel("conn-status")) || newer.exists(testidSel("elsewhere-dialog")) {
			t.Errorf("%s: the newer tab shows the dialog", app)
		}
		// Taking it back.
		older.click("elsewhere-take-back")
		older.waitJS(wmOnline)
		older.waitJS(`!document.querySelector('[data-testid="elsewhere-dialog"]')`)
		newer.waitTestID("elsewhere-dialog")
		newer.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.status === "replaced"`)
		watchStatus(older)
		time.Sleep(2 * time.Second)
		if log := statusLog(older); len(log) > 0 {
			t.Errorf("%s: the tab that took the meeting back changed %v; want it left online", app, log)
		}
		newer.shot("opened-elsewhere")
	}

	// The console in two tabs.
	conA := m.openConsole(b, 1280, 800, "live")
	conB := conA.sibling("console-b", 1280, 800)
	conB.navigate(m.srv.URL + "/console#m=" + m.id + "&tab=live")
	conB.waitJS(`(document.querySelector('[data-testid="conn-status"]')||{dataset:{}}).dataset.source === "live"`)
	conB.waitJS(wmOnline)
	check(conA, conB, "console")
	// The live tab still works: the agenda moves on from the tab that took
	// the meeting back.
	conA.clickSel(`[data-testid="live-item"][data-id="` + m.items[2] + `"] [data-testid="live-item-set"]`)
	conA.waitJS(`document.querySelector('[data-testid="live-current"]').dataset.id === "` + m.items[2] + `"`)

	// A delegate's tablet in two tabs.
	tabA := m.pairTablet(b, "tablet-a", m.delegates[0], 800, 1280)
	tabB := tabA.sibling("tablet-b", 800, 1280)
	tabB.navigate(m.srv.URL + "/tablet")
	tabB.waitTestID("me-name")
	tabB.waitJS(wmOnline)
	check(tabA, tabB, "tablet")
}
