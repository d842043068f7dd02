package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// consoleGuideShots are the guide's screenshots that TestConsoleGuide
// takes (the others are TestRoomGuide's): the record's settings and the
// congress's bodies, in Vietnamese and English.
var consoleGuideShots = []string{"01b-settings", "02b-bodies-propose", "02c-bodies-approved"}

// TestConsoleGuide prepares a congress as the guide tells it — the
// record's details and settings, then the counting committee proposed from
// the delegates, approved by the show of hands created from the proposal
// — and takes the guide's screenshots of those screens (written into
// docs/guide/img with -update-guide).
func TestConsoleGuide(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 8)
	d := m.state().Details
	d.Title = "Đại hội đại biểu Đảng bộ xã Thử Nghiệm lần thứ IX, nhiệm kỳ 2025–2030"
	d.Organization = "Đảng bộ xã Thử Nghiệm"
	m.cmd("meeting.update", d)
	m.open()
	voters := m.voters()
	g := &guide{t: t}
	con := m.openConsole(b, 1280, 800, "prepare")

	// The record's details and settings.
	openCard(con, "details-card")
	wmSet(t, con, testidSel("details-locality"), "Hà Nội")
	wmSet(t, con, testidSel("details-collective"), "Đảng bộ")
	wmSet(t, con, testidSel("details-chair-post"), "Bí thư Đảng ủy")
	con.click("details-save")
	con.waitTestID("details-result")
	openCard(con, "settings-card")
	wmSet(t, con, testidSel("settings-surplus-cap"), "20")
	con.click("settings-save")
	con.waitTestID("settings-result")
	if s := m.state().Settings; s.Polls.SurplusCap != 20 {
		t.Fatalf("surplus cap on the server: %d; want 20", s.Polls.SurplusCap)
	}
	g.shot(con, "01b-settings", into(con, `.field:has([data-testid="settings-sites"])`))

	// The bodies: the presidium proposed through the SDK with its vote
	// ready; the counting committee proposed here.
	var presidium []map[string]any
	for i, p := range []meeting.Participant{m.chair, m.delegates[0], m.delegates[1], m.delegates[2], m.delegates[3]} {
		post := "Ủy viên Đoàn Chủ tịch"
		if i == 0 {
			post = "Chủ tịch Đoàn Chủ tịch"
		}
		presidium = append(presidium, map[string]any{"participant": p.ID, "post": post})
	}
	m.cmd("body.propose", map[string]any{"kind": "presidium", "members": presidium})
	counting := `[data-testid="body"][data-kind="counting"]`
	editor := `[data-testid="body-editor"][data-kind="counting"]`
	con.clickSel(counting + ` [data-testid="body-edit"]`)
	con.waitTestID("body-editor")
	for i, p := range m.delegates[4:7] {
		wmSet(t, con, editor+` [data-testid="body-edit-choices"]`, p.ID)
		con.clickSel(editor + ` [data-testid="body-edit-add"]`)
		row := editor + ` [data-testid="body-edit-row"][data-id="` + p.ID + `"]`
		con.waitJS(`!!document.querySelector(` + wmQ(row) + `)`)
		post := "Ủy viên"
		if i == 0 {
			post = "Trưởng ban"
		}
		wmSet(t, con, row+` [data-testid="body-edit-post"]`, post)
	}
	g.shot(con, "02b-bodies-propose", into(con, editor))
	con.clickSel(editor + ` [data-testid="body-edit-save"]`)
	con.waitJS(`document.querySelector(` + wmQ(counting) + `).dataset.state === "proposed"`)
	con.clickSel(counting + ` [data-testid="body-vote-create"]`)
	con.waitJS(`!!document.querySelector(` + wmQ(counting+` [data-testid="body-vote"]`) + `)`)
	vote := evalJS[string](con, `document.querySelector(`+wmQ(counting+` [data-testid="body-vote"]`)+`).dataset.poll`)
	m.cmd("poll.open", map[string]any{"id": vote})
	for i, v := range voters {
		if _, err := v.Cast(ctx, vote, fmt.Sprintf("guide-body-%d", i), meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
			t.Fatal(err)
		}
	}
	m.cmd("poll.close", map[string]any{"id": vote})
	m.cmd("poll.publish", map[string]any{"id": vote})
	con.waitJS(`document.querySelector(` + wmQ(counting) + `).dataset.state === "approved"`)
	presidiumBox := `[data-testid="body"][data-kind="presidium"]`
	con.clickSel(presidiumBox + ` [data-testid="body-vote-create"]`)
	con.waitJS(`!!document.querySelector(` + wmQ(presidiumBox+` [data-testid="body-vote"]`) + `)`)
	g.shot(con, "02c-bodies-approved", into(con, `[data-testid="bodies-card"]`))

	if !slices.Equal(g.taken, consoleGuideShots) {
		t.Errorf("took %v; want %v", g.taken, consoleGuideShots)
	}
	if *updateGuide {
		t.Logf("the guide's screenshots of the record's screens were written in %s", filepath.Join(guideDir, "img"))
	}
}
