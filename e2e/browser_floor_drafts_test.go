package e2e

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// draftV1 is the draft political report of the floor's tests; draftV2 its
// second version: "2. Về văn hóa" is gone, "1. Về khoa học, công nghệ" is
// new, and the economy became "2.".
var (
	draftV1 = []testdocs.Part{
		{Level: 1, Text: "Phần thứ nhất: ĐÁNH GIÁ KẾT QUẢ NHIỆM KỲ 2020 - 2025", Body: []string{"Nhiệm kỳ qua, trong bối cảnh nhiều khó khăn, Đảng bộ đã lãnh đạo hoàn thành các chỉ tiêu chủ yếu."}},
		{Level: 2, Text: "1. Về phát triển kinh tế", Body: []string{"Tốc độ tăng trưởng bình quân đạt 7,2%/năm.", "Cơ cấu kinh tế chuyển dịch tích cực."}},
		{Level: 2, Text: "2. Về văn hóa, xã hội", Body: []string{"Đời sống vật chất và tinh thần của nhân dân được nâng lên."}},
		{Level: 1, Text: "Phần thứ hai: PHƯƠNG HƯỚNG, NHIỆM VỤ NHIỆM KỲ 2025 - 2030", Body: []string{"Mục tiêu tổng quát: xây dựng Đảng bộ trong sạch, vững mạnh."}},
	}
	draftV2 = []testdocs.Part{
		{Level: 1, Text: "Phần thứ nhất: ĐÁNH GIÁ KẾT QUẢ NHIỆM KỲ 2020 - 2025", Body: []string{"Nhiệm kỳ qua, trong bối cảnh nhiều khó khăn, Đảng bộ đã lãnh đạo hoàn thành các chỉ tiêu chủ yếu."}},
		{Level: 2, Text: "1. Về khoa học, công nghệ và đổi mới sáng tạo", Body: []string{"Chuyển đổi số được đẩy mạnh."}},
		{Level: 2, Text: "2. Về phát triển kinh tế", Body: []string{"Tốc độ tăng trưởng bình quân đạt 7,0%/năm."}},
		{Level: 1, Text: "Phần thứ hai: PHƯƠNG HƯỚNG, NHIỆM VỤ NHIỆM KỲ 2025 - 2030", Body: []string{"Mục tiêu tổng quát: xây dựng Đảng bộ trong sạch, vững mạnh."}},
	}
)

// The opinions the tests give, and the texts they must find in the exports.
const (
	opGeneral  = "Nhất trí với bố cục của dự thảo."
	opEconomy  = "Chỉ tiêu tăng trưởng 7,2% là quá cao."
	opCulture  = "Bổ sung nội dung bảo tồn di sản văn hóa."
	opOffline  = "Thay cụm từ “đạt nhiều kết quả” bằng “đạt kết quả quan trọng”."
	opOther    = "Đề nghị nêu rõ nguồn lực thực hiện."
	opOtherAll = "Rút gọn phần mở đầu."
)

// TestFloorDrafts: the secretariat opens a DOCX draft for opinions with its
// structure read from the file; a delegate reads a section and gives
// opinions of every kind on sections of it, one while the tablet is
// offline (kept, then sent when the network returns); a new version moves
// the opinions to the sections that remain and flags the one whose section
// was dropped; the drafting team's exports, DOCX and PDF, read back with
// pandoc and pdftotext, hold exactly the counts and texts given.
func TestFloorDrafts(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 4)
	m.open()
	thu, mau, vi := m.delegates[0], m.delegates[1], m.delegates[2] // Trần Văn Thử gives on the tablet; Lê Thị Mẫu is the drafting team
	up, err := m.sec.Upload(ctx, m.id, client.NewDocument{Title: "Dự thảo Báo cáo chính trị", Access: meeting.AccessDelegates, Publish: true},
		"du-thao-bao-cao-chinh-tri.docx", bytes.NewReader(testdocs.DOCXDraft(draftV1)))
	if err != nil {
		t.Fatal(err)
	}
	doc := up.Document.ID

	audit := newA11yAudit(t)
	defer audit.report()

	// ---- the secretariat opens the draft ----
	fl := openFloor(b, m.srv.URL, m.id, 1280, 800)
	wmSet(t, fl, testidSel("open-draft-doc"), doc)
	fl.click("open-draft-outline")
	fl.waitJS(wmCount(`[data-testid="sections-editor"] tbody tr`, 4))
	// The secretariat corrects a title by hand.
	wmSet(t, fl, `[data-testid="sections-editor"] tr[data-id="m1"] [data-testid="section-title"]`, "ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT NHIỆM KỲ 2020 - 2025")
	deadline := time.Now().In(ict).Add(48 * time.Hour)
	wmSet(t, fl, testidSel("open-draft-date"), deadline.Format("02/01/2006"))
	wmSet(t, fl, testidSel("open-draft-time"), "17:00")
	fl.clickSel(`[data-testid="open-draft-readers"] input[data-id="` + mau.ID + `"]`)
	audit.check(fl, "floor-open-draft")
	floorShot(t, fl, "01-open-draft", into(fl, testidSel("open-draft-form")))
	fl.click("open-draft-submit")
	fl.waitTestID("draft-card-" + doc)
	st := m.state()
	d, ok := st.Draft(doc)
	if !ok || len(d.Sections) != 4 || d.Sections[0].Title != "ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT NHIỆM KỲ 2020 - 2025" || d.Sections[1].Label != "1." ||
		len(d.Readers) != 1 || d.Readers[0] != mau.ID {
		t.Fatalf("draft opened = %+v; want the 4 sections read from the file, the corrected title, Lê Thị Mẫu reading", d)
	}

	// ---- a delegate reads and gives opinions ----
	tab := m.pairTablet(b, "tablet", thu, 1280, 800)
	tab.click("tab-drafts")
	tab.waitTestID("section-m2")
	tab.clickSel(`[data-testid="section-m2"] [data-testid="section-read"]`)
	tab.waitJS(`(document.querySelector('[data-testid="section-m2"] [data-testid="section-text"]')||{textContent:''}).textContent.includes("7,2%/năm")`)
	give := func(sec, kind, text string) {
		t.Helper()
		card := `[data-testid="section-` + sec + `"]`
		tab.clickSel(card + ` [data-testid="kind-` + kind + `"]`)
		if text != "" {
			tab.clickSel(card + ` [data-testid="opinion-text"]`)
			tab.do("type the opinion", chromeType(card+` [data-testid="opinion-text"]`, text))
		}
		tab.clickSel(card + ` [data-testid="opinion-send"]`)
	}
	give("whole", "agree", opGeneral)
	give("m2", "disagree", opEconomy)
	give("m3", "partial", opCulture)
	for _, sec := range []string{"whole", "m2", "m3"} {
		tab.waitJS(`document.querySelector('[data-testid="section-` + sec + `"]').dataset.state === "sent"`)
	}
	// A reason is required: refused on the tablet, nothing sent.
	tab.clickSel(`[data-testid="section-m4"] [data-testid="kind-disagree"]`)
	tab.clickSel(`[data-testid="section-m4"] [data-testid="opinion-send"]`)
	tab.waitJS(`(document.querySelector('[data-testid="toast"]')||{textContent:''}).textContent.includes("phải nêu lý do")`)
	tab.clickSel(`[data-testid="section-m4"] [data-testid="kind-agree"]`)
	tab.clickSel(`[data-testid="section-m4"] [data-testid="opinion-send"]`)
	tab.waitJS(`document.querySelector('[data-testid="section-m4"]').dataset.state === "sent"`)
	audit.check(tab, "tablet-drafts")
	floorShot(t, tab, "03-tablet-opinion", into(tab, testidSel("section-m2")))

	// Other delegates give theirs through the SDK while the tablet types.
	others := []struct {
		p    meeting.Participant
		sec  string
		kind meeting.OpinionKind
		text string
	}{{vi, "m2", meeting.OpinionPartial, opOther}, {vi, "", meeting.OpinionPartial, opOtherAll}, {m.delegates[3], "m2", meeting.OpinionAgree, ""}, {m.delegates[3], "m3", meeting.OpinionAgree, ""}}

	// ---- offline: typed, kept, sent when the network returns ----
	tab.setOffline(true)
	tab.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.status !== "online"`)
	give("m1", "partial", opOffline)
	tab.waitJS(`document.querySelector('[data-testid="section-m1"]').dataset.state === "pending"`)
	tab.waitTestID("draft-offline")
	if !evalJS[bool](tab, `Object.keys(localStorage).some(k => k.startsWith("phonghop.opinions.") && localStorage.getItem(k).includes(`+wmQ(opOffline)+`))`) {
		t.Errorf("the opinion typed offline is not kept in the tablet's storage")
	}
	floorShot(t, tab, "04-tablet-offline", into(tab, testidSel("section-m1")))
	for i, o := range others {
		c, _ := newClient(t, m.srv.URL)
		pr, err := c.Pair(ctx, m.freshCode(o.p))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Command(ctx, pr.Meeting, "opinion.give", map[string]any{"draft": doc, "section": o.sec, "kind": o.kind, "text": o.text, "key": fmt.Sprint("sdk-", i)}); err != nil {
			t.Fatalf("opinion of %s: %v", o.p.Name, err)
		}
	}
	if _, ok := opinionOf(m.state(), doc, "m1", thu.ID); ok {
		t.Fatalf("the offline opinion reached the server while the tablet was offline")
	}
	tab.setOffline(false)
	tab.waitJS(`document.querySelector('[data-testid="section-m1"]').dataset.state === "sent"`)
	if o, ok := opinionOf(m.state(), doc, "m1", thu.ID); !ok || o.Text != opOffline || o.Kind != meeting.OpinionPartial {
		t.Fatalf("after the network returned, the server has %+v, %v; want the partial opinion typed offline", o, ok)
	}
	// The others' opinions are counted on the tablet too (within a second).
	tab.waitJS(`document.querySelector('[data-testid="section-m2"] [data-testid="section-counts"]').textContent === "Tán thành 1 · Không tán thành 1 · Đồng ý một phần 1"`)

	// ---- the counts on the floor page ----
	fl.waitJS(`(document.querySelector('[data-testid="draft-counts"] tr[data-section="m2"] td.total')||{textContent:''}).textContent === "3"`)
	audit.check(fl, "floor-draft-counts")
	floorShot(t, fl, "02-draft-counts", into(fl, testidSel("draft-card-"+doc)))

	// ---- a new version moves and flags ----
	if _, err := m.sec.UploadVersion(ctx, m.id, doc, "du-thao-v2.docx", bytes.NewReader(testdocs.DOCXDraft(draftV2)), "Bản sửa sau thảo luận tổ"); err != nil {
		t.Fatal(err)
	}
	fl.click("draft-revise-2")
	fl.waitJS(wmCount(`[data-testid="revise-editor"] tbody tr`, 4))
	// The economy keeps m2 though renumbered; the new section gets a new ID.
	ids := evalJS[[]string](fl, `[...document.querySelectorAll('[data-testid="revise-editor"] tbody tr')].map(r => r.dataset.id)`)
	if strings.Join(ids, " ") != "m5 m6 m2 m4" {
		// m1's title was corrected by hand: it no longer matches the file's.
		t.Logf("revise proposes %v", ids)
	}
	// Keep the first part's ID as the secretariat would: the same part.
	wmSetRowID(t, fl, ids[0], "m1")
	floorShot(t, fl, "05-revise", into(fl, testidSel("revise-editor")))
	fl.click("revise-submit")
	fl.waitJS(`!document.querySelector('[data-testid="revise-editor"]')`)
	st = m.state()
	d, _ = st.Draft(doc)
	if d.Version != 2 {
		t.Fatalf("draft version after the revision = %d; want 2", d.Version)
	}
	m2, _ := opinionOf(st, doc, "m2", thu.ID)
	m3, _ := opinionOf(st, doc, "m3", thu.ID)
	m1, _ := opinionOf(st, doc, "m1", thu.ID)
	if m2.Flagged != 0 || m3.Flagged != 2 || m1.Flagged != 0 {
		t.Errorf("after version 2: economy flagged %d, culture flagged %d, part one %d; want 0, 2, 0", m2.Flagged, m3.Flagged, m1.Flagged)
	}
	tab.waitTestID("section-flagged")
	if got := tab.text("section-m3"); !strings.Contains(got, opCulture) || !strings.Contains(got, "phiên bản 2") {
		t.Errorf("the tablet shows the flagged opinion as %q", got)
	}

	// ---- the drafting team's exports ----
	team := m.pairTablet(b, "drafting-team", mau, 1280, 800)
	team.click("tab-drafts")
	team.waitTestID("draft-rollup")
	audit.check(team, "tablet-drafting-team")
	floorShot(t, team, "06-rollup", into(team, testidSel("draft-rollup")))
	base := "/api/meetings/" + m.id + "/drafts/" + doc + "/rollup"
	code, docx := fetchBytes(t, team, base+"?format=docx&by=group")
	if code != 200 {
		t.Fatalf("the drafting team's DOCX = %d %s", code, docx)
	}
	code, pdf := fetchBytes(t, team, base+"?format=pdf&by=group")
	if code != 200 {
		t.Fatalf("the drafting team's PDF = %d %s", code, pdf)
	}
	if code, _ := fetchBytes(t, tab, base+"?format=docx"); code != 403 {
		t.Errorf("a delegate outside the drafting team fetches the roll-up: %d; want 403", code)
	}
	// What was given, by section (the whole draft, the economy m2, the
	// first part m1, the fourth m4; the dropped culture m3).
	wantCounts := []string{
		"Tán thành: 1; không tán thành: 0; đồng ý một phần: 1 (tổng số: 2).", // whole: Thử agree, Ví Dụ partial
		"Tán thành: 1; không tán thành: 1; đồng ý một phần: 1 (tổng số: 3).", // m2: Thử against, Ví Dụ partial, Nhung agree
		"Tán thành: 0; không tán thành: 0; đồng ý một phần: 1 (tổng số: 1).", // m1: the offline one
		"Tán thành: 1; không tán thành: 0; đồng ý một phần: 0 (tổng số: 1).", // m4: Thử agree
		"Tán thành: 1; không tán thành: 0; đồng ý một phần: 1 (tổng số: 2).", // m3 (dropped): Thử partial, Nhung agree
		"Số đại biểu đã góp ý: 3; tổng số ý kiến: 9.",
	}
	texts := []string{opGeneral, opEconomy, opCulture, opOffline, opOther, opOtherAll}
	for what, text := range map[string]string{"DOCX (pandoc)": docxToText(t, docx), "PDF (pdftotext)": pdfToRawText(t, pdf)} {
		for _, c := range wantCounts {
			if !strings.Contains(text, c) {
				t.Errorf("the %s export lacks the counts %q", what, c)
			}
		}
		for _, s := range texts {
			if n := strings.Count(text, s); n != 1 {
				t.Errorf("the %s export has %q %d times; want once", what, s, n)
			}
		}
		for _, s := range []string{"Trần Văn Thử", "Phạm Văn Ví Dụ", "Phần thứ nhất ĐÁNH GIÁ KẾT QUẢ NHIỆM KỲ 2020 - 2025", "2. Về phát triển kinh tế"} {
			if !strings.Contains(text, s) {
				t.Errorf("the %s export lacks %q", what, s)
			}
		}
		// Counted opinions equal the raw ones: 9 in all.
		if n := strings.Count(text, "tổng số: "); n < 5 {
			t.Errorf("the %s export has %d section counts; want every section's", what, n)
		}
	}
}

// opinionOf returns participant p's opinion on section sec of draft doc.
func opinionOf(st *meeting.State, doc, sec, p string) (meeting.Opinion, bool) {
	for _, o := range st.Opinions(doc) {
		if o.Section == sec && o.Participant == p {
			return o, true
		}
	}
	return meeting.Opinion{}, false
}
