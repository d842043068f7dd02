package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestFloorGroups: the secretariat sets up two discussion groups on the
// floor page; while the plenary is paused both sit at once, each in a
// meeting of its own: the tablets of each tổ follow it, its members check
// in and ask to speak on its own speaker list, its leader gives the floor
// from the tablet, its secretary notes an opinion on a section of the
// draft; the floor page shows both tổ live (who speaks, how many wait);
// when they rise, each tổ's report is the minutes of its own sitting.
func TestFloorGroups(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 6)
	m.open()
	d := m.delegates // Thử, Mẫu, Ví Dụ | Nhung, Bảo, Tuấn
	up, err := m.sec.Upload(ctx, m.id, client.NewDocument{Title: "Dự thảo Báo cáo chính trị", Access: meeting.AccessDelegates, Publish: true},
		"du-thao.docx", bytes.NewReader(testdocs.DOCXDraft(draftV1)))
	if err != nil {
		t.Fatal(err)
	}
	doc := up.Document.ID
	m.cmd("draft.open", map[string]any{"document": doc, "deadline": time.Now().Add(48 * time.Hour), "sections": []meeting.Section{
		{ID: "m1", Label: "Phần thứ nhất", Title: "ĐÁNH GIÁ KẾT QUẢ", Level: 1}, {ID: "m2", Label: "1.", Title: "Về phát triển kinh tế", Level: 2}}})

	audit := newA11yAudit(t)
	defer audit.report()

	// ---- the groups, set up on the floor page ----
	fl := openFloor(b, m.srv.URL, m.id, 1280, 800)
	fl.click("tab-groups")
	define := func(name string, members []meeting.Participant, leader, deputy, secretary meeting.Participant) {
		t.Helper()
		wmSet(t, fl, testidSel("group-name"), name)
		for _, p := range members {
			fl.clickSel(`[data-testid="group-members"] input[data-id="` + p.ID + `"]`)
		}
		wmSet(t, fl, testidSel("group-leader"), leader.ID)
		if deputy.ID != "" {
			wmSet(t, fl, testidSel("group-deputy"), deputy.ID)
		}
		wmSet(t, fl, testidSel("group-secretary"), secretary.ID)
		fl.click("group-save")
		fl.waitJS(`[...document.querySelectorAll('[data-testid^="group-row-"]')].some(r => r.textContent.includes(` + wmQ(name) + `))`)
	}
	define("Tổ 1 — Đoàn Thành phố", d[:3], d[0], d[2], d[1])
	floorShot(t, fl, "07-groups", into(fl, testidSel("group-form")))
	define("Tổ 2 — Đoàn Huyện Đông", d[3:], d[3], meeting.Participant{}, d[4])
	groups := m.state().Floor.Groups
	g1, g2 := groups[0], groups[1]

	// ---- the plenary pauses; both tổ sit ----
	m.cmd("meeting.pause", nil)
	thu := m.pairTablet(b, "tablet-to1-leader", d[0], 1280, 800) // Tổ 1's leader
	mau := m.pairTablet(b, "tablet-to1-secretary", d[1], 1280, 800)
	bao := m.pairTablet(b, "tablet-to2", d[4], 1280, 800) // Tổ 2's secretary
	fl.click("sit-all")
	fl.waitJS(`document.querySelector('[data-testid="group-row-` + g1.ID + `"]').dataset.sitting !== "" && document.querySelector('[data-testid="group-row-` + g2.ID + `"]').dataset.sitting !== ""`)
	st := m.state()
	g1, _ = st.Group(g1.ID)
	g2, _ = st.Group(g2.ID)
	if st.Status != meeting.StatusPaused || g1.Sitting == "" || g2.Sitting == "" || g1.Sitting == g2.Sitting {
		t.Fatalf("after both sat: plenary %s, sittings %q and %q; want paused, two sittings", st.Status, g1.Sitting, g2.Sitting)
	}
	// The tablets follow their tổ.
	for _, tab := range []*page{thu, mau, bao} {
		tab.waitTestID("group-sitting")
	}
	if got := evalJS[string](thu, `document.querySelector('[data-testid="group-sitting"]').dataset.meeting`); got != g1.Sitting {
		t.Errorf("tổ 1's leader follows %q; want %q", got, g1.Sitting)
	}
	if got := evalJS[string](bao, `document.querySelector('[data-testid="group-sitting"]').dataset.meeting`); got != g2.Sitting {
		t.Errorf("tổ 2's secretary follows %q; want %q", got, g2.Sitting)
	}

	// Members acting through the SDK, in their own tổ's sitting.
	sdk := func(p meeting.Participant) *client.Client {
		c, _ := newClient(t, m.srv.URL)
		if _, err := c.Pair(ctx, m.freshCode(p)); err != nil {
			t.Fatal(err)
		}
		return c
	}
	run := func(c *client.Client, meetingID, name string, data any) {
		t.Helper()
		if _, err := c.Command(ctx, meetingID, name, data); err != nil {
			t.Fatalf("%s in %s: %v", name, meetingID, err)
		}
	}
	viDu, nhung, tuan := sdk(d[2]), sdk(d[3]), sdk(d[5])
	// Tổ 1: Ví Dụ asks to speak; the leader gives the floor on his tablet.
	thu.click("group-checkin")
	thu.waitTestID("group-checked-in")
	run(viDu, g1.Sitting, "attendance.check_in", nil)
	run(viDu, g1.Sitting, "speaker.request", map[string]any{"topic": "Về chỉ tiêu tăng trưởng"})
	thu.waitJS(`!!document.querySelector('[data-testid="group-queue"] li[data-participant="` + d[2].ID + `"]')`)
	audit.check(thu, "tablet-group-leader")
	floorShot(t, thu, "08-tablet-group", nil)
	thu.click("group-give-next")
	thu.waitJS(wmTextIs("group-speaker", d[2].Name))
	// Tổ 2: Tuấn and Bảo ask; the leader (SDK) gives the floor to Tuấn.
	run(tuan, g2.Sitting, "attendance.check_in", nil)
	run(tuan, g2.Sitting, "speaker.request", nil)
	bao.click("group-checkin")
	bao.waitTestID("group-checked-in")
	bao.click("group-request")
	bao.waitTestID("group-position")
	run(nhung, g2.Sitting, "speaker.give_floor", nil)
	bao.waitJS(wmTextIs("group-speaker", d[5].Name))
	// Another tổ's delegate cannot act in tổ 1.
	if _, err := tuan.Command(ctx, g1.Sitting, "speaker.request", nil); meeting.KindOf(err) != meeting.KindForbidden || !strings.Contains(err.Error(), "not a member") {
		t.Errorf("tổ 2's Tuấn asking the floor in tổ 1 = %v; want forbidden", err)
	}
	// Each speaker list is its own.
	if got := evalJS[string](thu, `document.querySelector('[data-testid="group-queue"]').textContent`); strings.Contains(got, d[4].Name) {
		t.Errorf("tổ 1's queue lists tổ 2's %s: %q", d[4].Name, got)
	}
	if got := evalJS[string](bao, `document.querySelector('[data-testid="group-queue"]').textContent`); !strings.Contains(got, d[4].Name) || strings.Contains(got, d[2].Name) {
		t.Errorf("tổ 2's queue reads %q; want Bảo, not tổ 1's Ví Dụ", got)
	}

	// Tổ 1's secretary notes the opinion on a section of the draft.
	mau.waitTestID("group-notes")
	wmSet(t, mau, testidSel("note-text"), "Đề nghị giảm chỉ tiêu tăng trưởng xuống 7%/năm cho phù hợp.")
	wmSet(t, mau, testidSel("note-draft"), doc)
	wmSet(t, mau, testidSel("note-section"), "m2")
	wmSet(t, mau, testidSel("note-speaker"), d[2].ID)
	audit.check(mau, "tablet-group-secretary")
	floorShot(t, mau, "09-group-notes", into(mau, testidSel("group-notes")))
	mau.click("note-save")
	mau.waitJS(wmCount(`[data-testid="group-notes-list"] li`, 1))

	// ---- the floor page shows both tổ live ----
	fl.waitJS(`(document.querySelector('[data-testid="live-` + g1.ID + `"]')||{dataset:{}}).dataset.speaker === ` + wmQ(d[2].Name) +
		` && (document.querySelector('[data-testid="live-` + g2.ID + `"]')||{dataset:{}}).dataset.speaker === ` + wmQ(d[5].Name))
	fl.waitJS(`document.querySelector('[data-testid="live-` + g1.ID + `"]').dataset.notes === "1" && document.querySelector('[data-testid="live-` + g2.ID + `"]').dataset.waiting === "1"`)
	audit.check(fl, "floor-groups-live")
	floorShot(t, fl, "10-groups-live", into(fl, testidSel("groups-live")))

	// ---- they rise; each tổ's report ----
	for _, g := range []meeting.Group{g1, g2} {
		fl.clickConfirm(testidSel("group-rise-"+g.ID), "group-rise")
		fl.waitJS(`document.querySelector('[data-testid="group-row-` + g.ID + `"]').dataset.sitting === ""`)
	}
	thu.waitJS(`document.querySelector('[data-testid="group-sitting"]').dataset.status === "closed"`)
	reports := map[string]string{}
	for _, g := range []meeting.Group{g1, g2} {
		code, pdf := fetchBytes(t, fl, "/api/meetings/"+m.id+"/groups/"+g.ID+"/report?format=pdf")
		if code != 200 {
			t.Fatalf("report of %s = %d %s", g.Name, code, pdf)
		}
		reports[g.ID] = pdfToRawText(t, pdf)
	}
	for _, s := range []string{"BIÊN BẢN THẢO LUẬN TỔ", "TỔ 1 — ĐOÀN THÀNH PHỐ", "Phạm Văn Ví Dụ: Đề nghị giảm chỉ tiêu tăng trưởng xuống 7%/năm cho phù hợp.",
		"Về chỉ tiêu tăng trưởng", "THƯ KÝ TỔ", "TỔ TRƯỞNG", d[0].Name, d[1].Name} {
		if !strings.Contains(reports[g1.ID], s) {
			t.Errorf("tổ 1's report lacks %q:\n%s", s, reports[g1.ID])
		}
	}
	for _, s := range []string{"TỔ 2 — ĐOÀN HUYỆN ĐÔNG", d[5].Name, d[3].Name} {
		if !strings.Contains(reports[g2.ID], s) {
			t.Errorf("tổ 2's report lacks %q", s)
		}
	}
	if strings.Contains(reports[g2.ID], "Đề nghị giảm chỉ tiêu") || strings.Contains(reports[g2.ID], d[2].Name) {
		t.Errorf("tổ 2's report holds tổ 1's discussion")
	}
	rep := b.newPage("report", 1280, 800)
	rep.navigate(m.srv.URL + "/console") // the secretary's session for the report page
	rep.waitTestID("login-form")
	wmSet(t, rep, testidSel("login-username"), adminUser)
	rep.typeInto("login-password", adminPassword)
	rep.click("login-submit")
	rep.waitTestID("meetings-view")
	floorShotURL(t, rep, "11-group-report", m.srv.URL+"/api/meetings/"+m.id+"/groups/"+g1.ID+"/report?format=html&lang=")
}
