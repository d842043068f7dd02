package minutes

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// The congress floor in the record: the roll-up of the opinions on a draft
// (JSON, PDF, DOCX), the tổ report, the written contributions in the
// minutes.

func tablet(p string) meeting.Actor {
	return meeting.Actor{ID: "participant:" + p, Role: meeting.RoleDelegate, Participant: p}
}

var draftFile = meeting.File{SHA256: strings.Repeat("c3", 32), Size: 9120, ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Name: "Du thao BCCT.docx"}

// congressFixture: a congress of 9 delegates in two tổ (p… IDs in
// f.ids by name) and one outside any tổ, a draft of 3 sections open for a
// day, read by the drafting team's Phan Thị Quế.
func congressFixture(tb testing.TB) (*fixture, string) {
	f := newFixture(tb, "dh1")
	f.sec(&meeting.CreateMeeting{Details: meeting.Details{Title: "Đại hội đại biểu Đảng bộ tỉnh lần thứ XV", Organization: "Đảng bộ tỉnh Bình An", Locality: "Bình An"}})
	rows := []meeting.NewParticipant{
		{Name: "Nguyễn Văn An", Unit: "Đoàn Thành phố", Role: meeting.RoleChair},
		{Name: "Trần Thị Bình", Unit: "Đoàn Thành phố"}, {Name: "Lê Văn Cường", Unit: "Đoàn Thành phố"},
		{Name: "Phạm Thị Dung", Unit: "Đoàn Huyện Đông"}, {Name: "Hoàng Văn Em", Unit: "Đoàn Huyện Đông"},
		{Name: "Vũ Thị Gấm", Unit: "Đoàn Huyện Tây"}, {Name: "Đặng Văn Hải", Unit: "Đoàn Huyện Tây"},
		{Name: "Bùi Thị Kim"}, {Name: "Phan Thị Quế", Unit: "Tổ biên tập"},
	}
	for i, e := range f.sec(&meeting.ImportParticipants{Rows: rows}) {
		f.ids[rows[i].Name] = fmt.Sprintf("p%d", e.Seq)
	}
	doc := id(f.do(asUploader, &meeting.AddDocument{DocumentSpec: meeting.DocumentSpec{Title: "Dự thảo Báo cáo chính trị", Access: meeting.AccessDelegates}, Publish: true, File: draftFile}))
	f.sec(&meeting.OpenDraft{Document: doc, Deadline: t0.Add(24 * time.Hour), Readers: []string{f.ids["Phan Thị Quế"]}, Sections: []meeting.Section{
		{ID: "m1", Label: "Phần thứ nhất", Title: "Đánh giá kết quả", Level: 1},
		{ID: "m2", Label: "1.", Title: "Về kinh tế", Level: 2},
		{ID: "m3", Label: "2.", Title: "Về văn hóa", Level: 2},
	}})
	p := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, f.ids[n])
		}
		return out
	}
	f.sec(&meeting.DefineGroup{GroupName: "Tổ 1", Members: p("Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"), Leader: f.ids["Trần Thị Bình"], Secretary: f.ids["Lê Văn Cường"]})
	f.sec(&meeting.DefineGroup{GroupName: "Tổ 2", Members: p("Hoàng Văn Em", "Vũ Thị Gấm", "Đặng Văn Hải"), Leader: f.ids["Hoàng Văn Em"], Secretary: f.ids["Vũ Thị Gấm"]})
	return f, doc
}

// rawOpinions replays the opinion events of a log, independently of
// meeting.Apply: the opinion each delegate holds on each section at the
// end, keyed "participant/section".
func rawOpinions(tb testing.TB, log []meeting.Event) map[string]meeting.Opinion {
	out := map[string]meeting.Opinion{}
	byID := map[string]string{}
	for _, e := range log {
		switch e.Type {
		case meeting.EventOpinionGiven:
			var o meeting.Opinion
			if err := json.Unmarshal(e.Data, &o); err != nil {
				tb.Fatal(err)
			}
			k := o.Participant + "/" + o.Section
			out[k] = o
			byID[o.ID] = k
		case meeting.EventOpinionWithdrawn:
			var r meeting.OpinionRef
			if err := json.Unmarshal(e.Data, &r); err != nil {
				tb.Fatal(err)
			}
			delete(out, byID[r.ID])
		}
	}
	return out
}

// randomOpinions gives, edits and withdraws opinions at random, and
// returns the texts given that are still held.
func randomOpinions(f *fixture, doc string, seed uint64, n int) {
	r := rand.New(rand.NewPCG(seed, 20))
	var people []string
	for name, id := range f.ids {
		if name != "Phan Thị Quế" {
			people = append(people, id)
		}
	}
	slicesSort(people)
	secs := []string{"", "m1", "m2", "m3"}
	kinds := []meeting.OpinionKind{meeting.OpinionAgree, meeting.OpinionDisagree, meeting.OpinionPartial}
	for i := range n {
		f.at(float64(30 + i))
		p, sec, k := people[r.IntN(len(people))], secs[r.IntN(len(secs))], kinds[r.IntN(3)]
		text := ""
		if k != meeting.OpinionAgree || r.IntN(2) == 0 {
			text = fmt.Sprintf("Ý kiến số %d của %s về %q", i, p, sec)
		}
		if r.IntN(8) == 0 {
			if _, err := meeting.Decide(f.s, tablet(p), &meeting.WithdrawOpinion{Draft: doc, Section: sec}, f.now); err == nil {
				f.do(tablet(p), &meeting.WithdrawOpinion{Draft: doc, Section: sec})
			}
			continue
		}
		c := &meeting.GiveOpinion{Draft: doc, Section: sec, Kind: k, Text: text, Key: fmt.Sprint("k", i)}
		if _, err := meeting.Decide(f.s, tablet(p), c, f.now); err == nil { // a section a new version dropped is refused
			f.do(tablet(p), c)
		}
	}
}

func slicesSort(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// TestRollupCountsEqualTheOpinions: after random opinions, edits,
// withdrawals and a new version that drops a section, every count of the
// roll-up equals the opinions replayed from the log, every text is listed
// once in its section and its tổ, and nobody is named on an anonymous
// roll-up.
func TestRollupCountsEqualTheOpinions(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		f, doc := congressFixture(t)
		randomOpinions(f, doc, seed, 120)
		f.do(asUploader, &meeting.AddVersion{ID: doc, File: meeting.File{SHA256: strings.Repeat("d4", 32), Size: 9300, ContentType: draftFile.ContentType, Name: "v2.docx"}})
		f.sec(&meeting.ReviseDraft{Document: doc, Sections: []meeting.Section{{ID: "m1", Title: "Đánh giá kết quả", Level: 1}, {ID: "m3", Title: "Về văn hóa", Level: 2}}})
		randomOpinions(f, doc, seed+10, 40)
		raw := rawOpinions(t, f.log)

		r, err := BuildRollup(RollupInput{State: f.s, Draft: doc, Names: true, At: f.now})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]meeting.SectionCount{}
		groupOf := map[string]string{}
		for _, g := range f.s.Floor.Groups {
			for _, m := range g.Members {
				groupOf[m] = g.Name
			}
		}
		texts := map[string]int{} // "section/group/text" → times expected
		for _, o := range raw {
			c := want[o.Section]
			c.Section = o.Section
			switch o.Kind {
			case meeting.OpinionAgree:
				c.Agree++
			case meeting.OpinionDisagree:
				c.Disagree++
			case meeting.OpinionPartial:
				c.Partial++
			}
			want[o.Section] = c
			if o.Text != "" {
				texts[o.Section+"/"+groupOf[o.Participant]+"/"+o.Text]++
			}
		}
		got := map[string]meeting.SectionCount{}
		seen := map[string]int{}
		total := 0
		for _, x := range append(append([]SectionRollup{r.WholeDraft}, r.Sections...), r.Flagged...) {
			if x.Counts.Total() > 0 {
				got[x.Section.ID] = x.Counts
			}
			total += x.Counts.Total()
			for _, g := range x.Groups {
				for _, o := range g.Opinions {
					seen[x.Section.ID+"/"+g.Name+"/"+o.Text]++
					if o.Author == "" {
						t.Errorf("seed %d: an opinion without its author on a named roll-up", seed)
					}
				}
			}
		}
		for sec, c := range want {
			if got[sec] != c {
				t.Errorf("seed %d: section %q counts %+v; the log's opinions %+v", seed, sec, got[sec], c)
			}
		}
		if len(got) != len(want) || total != len(raw) || r.Totals.Total() != len(raw) {
			t.Errorf("seed %d: %d sections counted, %d opinions (totals %d); want %d sections, %d", seed, len(got), total, r.Totals.Total(), len(want), len(raw))
		}
		for k, n := range texts {
			if seen[k] != n {
				t.Errorf("seed %d: text %q listed %d times; want %d", seed, k, seen[k], n)
			}
		}
		if len(seen) != len(texts) {
			t.Errorf("seed %d: %d texts listed; want %d", seed, len(seen), len(texts))
		}
		if len(r.Flagged) == 0 || r.Flagged[0].Section.ID != "m2" || r.Flagged[0].Flagged != 2 {
			t.Errorf("seed %d: flagged sections %+v; want m2, dropped in version 2", seed, r.Flagged)
		}
		// Without names nobody is named, the counts are the same.
		anon, err := BuildRollup(RollupInput{State: f.s, Draft: doc, Names: false, By: ByDelegation, At: f.now})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := anon.JSON()
		for name := range f.ids {
			if strings.Contains(string(b), name) {
				t.Errorf("seed %d: the anonymous roll-up names %s", seed, name)
			}
		}
		if anon.Totals != r.Totals {
			t.Errorf("seed %d: totals by delegation %+v; by tổ %+v", seed, anon.Totals, r.Totals)
		}
	}
}

// TestRollupRefusesCountsThatDisagree: a log whose public counts disagree
// with its opinions (corrupt) gives no roll-up.
func TestRollupRefusesCountsThatDisagree(t *testing.T) {
	f, doc := congressFixture(t)
	f.do(tablet(f.ids["Trần Thị Bình"]), &meeting.GiveOpinion{Draft: doc, Section: "m1", Kind: meeting.OpinionAgree, Key: "a"})
	f.s.Floor.Drafts[0].Counts[0].Agree = 2
	if _, err := BuildRollup(RollupInput{State: f.s, Draft: doc, Names: true, At: f.now}); err != ErrRollupCounts {
		t.Errorf("BuildRollup with wrong counts = %v; want ErrRollupCounts", err)
	}
}

// exportFixture gives a few opinions of every kind, general and specific,
// from two tổ and from outside any, with a tổ's note on a section.
func exportFixture(t *testing.T) (*Rollup, map[string]string) {
	f, doc := congressFixture(t)
	give := func(name, sec string, k meeting.OpinionKind, text string) {
		f.do(tablet(f.ids[name]), &meeting.GiveOpinion{Draft: doc, Section: sec, Kind: k, Text: text, Key: f.ids[name] + "-" + sec})
	}
	give("Trần Thị Bình", "", meeting.OpinionAgree, "Nhất trí với bố cục dự thảo.")
	give("Lê Văn Cường", "", meeting.OpinionPartial, "Đề nghị rút gọn phần mở đầu.")
	give("Trần Thị Bình", "m2", meeting.OpinionDisagree, "Chỉ tiêu tăng trưởng quá cao.")
	give("Hoàng Văn Em", "m2", meeting.OpinionAgree, "")
	give("Vũ Thị Gấm", "m2", meeting.OpinionPartial, "Thay “bứt phá” bằng “vững chắc”.")
	give("Bùi Thị Kim", "m3", meeting.OpinionAgree, "Bổ sung bảo tồn di sản.")
	sitting := SittingNotes{Group: "Tổ 1", Number: 1, Names: map[string]string{f.ids["Phạm Thị Dung"]: "Phạm Thị Dung"},
		Notes: []meeting.Note{{ID: "k9", Text: "Đề nghị làm rõ nguồn lực.", Draft: doc, Section: "m2", Speaker: f.ids["Phạm Thị Dung"], At: t0.Add(time.Hour)}}}
	r, err := BuildRollup(RollupInput{State: f.s, Draft: doc, Names: true, At: t0.Add(2 * time.Hour), Sittings: []SittingNotes{sitting}})
	if err != nil {
		t.Fatal(err)
	}
	return r, map[string]string{
		"whole": "Tán thành: 1; không tán thành: 0; đồng ý một phần: 1 (tổng số: 2).",
		"m2":    "Tán thành: 1; không tán thành: 1; đồng ý một phần: 1 (tổng số: 3).",
		"m3":    "Tán thành: 1; không tán thành: 0; đồng ý một phần: 0 (tổng số: 1).",
	}
}

var exportTexts = []string{"Nhất trí với bố cục dự thảo.", "Đề nghị rút gọn phần mở đầu.", "Chỉ tiêu tăng trưởng quá cao.",
	"Thay “bứt phá” bằng “vững chắc”.", "Bổ sung bảo tồn di sản.", "Đề nghị làm rõ nguồn lực."}

// checkExport checks the text of an export: every count line once, every
// text once, the names and tổ.
func checkExport(t *testing.T, what, text string, counts map[string]string) {
	t.Helper()
	for _, c := range counts {
		if !strings.Contains(text, c) {
			t.Errorf("%s lacks the counts %q", what, c)
		}
	}
	for _, s := range exportTexts {
		if n := strings.Count(text, s); n != 1 {
			t.Errorf("%s has the text %q %d times; want once", what, s, n)
		}
	}
	for _, s := range []string{"TỔNG HỢP Ý KIẾN GÓP Ý", "Trần Thị Bình", "Vũ Thị Gấm", "Tổ 1", "Tổ 2", "Không thuộc tổ nào", "Phạm Thị Dung", "Số đại biểu đã góp ý: 5; tổng số ý kiến: 6."} {
		if !strings.Contains(text, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
}

func TestRollupPDF(t *testing.T) {
	r, counts := exportFixture(t)
	pdf, err := r.PDF("vi")
	if err != nil {
		t.Fatal(err)
	}
	checkFonts(t, pdf)
	checkExport(t, "the PDF", pdfRawText(t, pdf), counts)
}

func TestRollupDOCX(t *testing.T) {
	r, counts := exportFixture(t)
	b, err := r.DOCX("vi")
	if err != nil {
		t.Fatal(err)
	}
	checkExport(t, "the DOCX", docxText(t, b), counts)
	en, err := r.DOCX("en")
	if err != nil {
		t.Fatal(err)
	}
	if text := docxText(t, en); !strings.Contains(text, "ROLL-UP OF OPINIONS") || !strings.Contains(text, "Agree: 1; disagree: 1; partly agree: 1 (total: 3).") {
		t.Errorf("the English DOCX lacks its title or counts: %.300s", text)
	}
}

// pdfRawText extracts a PDF's text in content order (a table cell's lines
// stay together), whitespace collapsed.
func pdfRawText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin := need(t, "pdftotext", "poppler-utils")
	path := filepath.Join(t.TempDir(), "x.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// docxText reads a Word document back with pandoc, whitespace collapsed.
func docxText(t *testing.T, docx []byte) string {
	t.Helper()
	bin := need(t, "pandoc", "pandoc")
	path := filepath.Join(t.TempDir(), "x.docx")
	if err := os.WriteFile(path, docx, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-f", "docx", "-t", "plain", "--wrap=none", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pandoc: %v: %s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// need returns the path of a program of a Debian package, skipping the
// test without it (failing under CI=true: scripts/test.sh installs it).
func need(t *testing.T, prog, pkg string) string {
	t.Helper()
	bin, err := exec.LookPath(prog)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s (Debian's %s) is required under CI=true: %v", prog, pkg, err)
		}
		t.Skipf("%s not installed (%s): %v", prog, pkg, err)
	}
	return bin
}

// TestGroupReport: a tổ sitting's minutes are the tổ report: its title,
// the tổ in the header, the proceedings with the thư ký's notes and the
// members' written opinions, the signatures of the thư ký tổ and the tổ
// trưởng.
func TestGroupReport(t *testing.T) {
	f := newFixture(t, "dh1-g9-1")
	f.sec(&meeting.CreateMeeting{Details: meeting.Details{Title: "Thảo luận các dự thảo văn kiện", Organization: "Đảng bộ tỉnh Bình An", Locality: "Bình An"}})
	f.do(asSystem, &meeting.LinkSitting{SittingLink: meeting.SittingLink{Parent: "dh1", Congress: "Đại hội đại biểu Đảng bộ tỉnh lần thứ XV", Group: "g9",
		Name: "Tổ 1", Number: 1, Leader: "p3", Deputy: "p5", Secretary: "p4",
		Drafts: []meeting.LinkedDraft{{Document: "d12", Title: "Dự thảo Báo cáo chính trị", Sections: []meeting.Section{{ID: "m2", Label: "1.", Title: "Về kinh tế", Level: 2}}}}},
		Members: []meeting.Participant{{ID: "p3", Name: "Trần Thị Bình"}, {ID: "p4", Name: "Lê Văn Cường"}, {ID: "p5", Name: "Phạm Thị Dung"}}})
	f.at(5).sec(&meeting.AddItem{Title: "Thảo luận các dự thảo văn kiện"})
	f.at(6).sec(&meeting.OpenMeeting{})
	f.sec(&meeting.AdvanceAgenda{})
	f.at(7).do(tablet("p5"), &meeting.RequestFloor{Topic: "Về chỉ tiêu kinh tế"})
	f.at(8).do(meeting.Actor{ID: "participant:p3", Role: meeting.RoleChair, Participant: "p3"}, &meeting.GiveFloor{})
	f.at(12).sec(&meeting.EndSpeech{})
	f.at(13).do(meeting.Actor{ID: "participant:p4", Role: meeting.RoleSecretary, Participant: "p4"},
		&meeting.NoteSitting{Text: "Đề nghị giảm chỉ tiêu tăng trưởng xuống 7%.", Draft: "d12", Section: "m2", Speaker: "p5"})
	f.at(20).do(asSystem, &meeting.SummarizeSitting{Drafts: []meeting.DraftSummary{{Document: "d12", Title: "Dự thảo Báo cáo chính trị",
		Sections: []meeting.Section{{ID: "m2", Label: "1.", Title: "Về kinh tế", Level: 2}}, Counts: []meeting.SectionCount{{Section: "m2", Agree: 1, Partial: 2}}, Opinions: 3}}})
	f.at(21).sec(&meeting.CloseMeeting{})
	m, err := Build(f.log)
	if err != nil {
		t.Fatal(err)
	}
	if r := m.Record(); r.Floor == nil || r.Floor.Sitting == nil || r.Floor.Sitting.Group != "Tổ 1" || len(r.Floor.Sitting.Notes) != 1 || r.Floor.Sitting.Notes[0].Speaker != "Phạm Thị Dung" {
		t.Fatalf("the record of a sitting = %+v; want its tổ and note", r.Floor)
	}
	pdf, err := m.PDF("vi")
	if err != nil {
		t.Fatal(err)
	}
	text := pdfRawText(t, pdf)
	for _, s := range []string{"ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG BỘ TỈNH BÌNH AN", "TỔ 1", "BIÊN BẢN THẢO LUẬN TỔ", "Tổ trưởng: Trần Thị Bình; thư ký tổ: Lê Văn Cường; tổ phó: Phạm Thị Dung.",
		"Phạm Thị Dung: Đề nghị giảm chỉ tiêu tăng trưởng xuống 7%. [Dự thảo Báo cáo chính trị, 1. Về kinh tế]",
		"Dự thảo “Dự thảo Báo cáo chính trị”: 3 ý kiến.", "1. Về kinh tế 1 0 2 3", "THƯ KÝ TỔ", "TỔ TRƯỞNG", "Về chỉ tiêu kinh tế"} {
		if !strings.Contains(text, s) {
			t.Errorf("the tổ report lacks %q:\n%s", s, text)
		}
	}
	if strings.Contains(text, "NGƯỜI GHI BIÊN BẢN") || strings.Contains(text, "T/M") {
		t.Errorf("the tổ report signs as other minutes do:\n%s", text)
	}
	en, err := m.HTML("en")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(en), "MINUTES OF THE GROUP DISCUSSION") || !strings.Contains(string(en), "GROUP SECRETARY") {
		t.Errorf("the English tổ report lacks its title or signature")
	}
}

// TestContributionsInMinutes: a contribution read is listed with its
// time; one not read is listed as sent to the congress, with its file and
// hash; a withdrawn one is not listed.
func TestContributionsInMinutes(t *testing.T) {
	f, _ := congressFixture(t)
	f.at(10).sec(&meeting.AddItem{Title: "Thảo luận văn kiện"})
	f.sec(&meeting.OpenMeeting{})
	f.sec(&meeting.AdvanceAgenda{})
	reg := func(name, title, sha string) string {
		evs := f.do(meeting.Actor{ID: "participant:" + f.ids[name], Role: meeting.RoleSystem},
			&meeting.RegisterContribution{Participant: f.ids[name], Title: title, File: meeting.File{SHA256: strings.Repeat(sha, 32), Size: 100, ContentType: "application/pdf", Name: "tham-luan.pdf"}})
		var p meeting.ContributionRegistered
		_ = json.Unmarshal(evs[1].Data, &p)
		return p.ID
	}
	read := reg("Trần Thị Bình", "Về chuyển đổi số trong cơ quan Đảng", "a1")
	sent := reg("Hoàng Văn Em", "Về phát triển nông nghiệp xanh", "b2")
	gone := reg("Vũ Thị Gấm", "Về du lịch cộng đồng", "c3")
	f.at(20).sec(&meeting.ScheduleContribution{ID: read})
	c, _ := f.s.Contribution(read)
	f.at(25).sec(&meeting.GiveFloor{ID: c.Request})
	f.at(32).sec(&meeting.EndSpeech{})
	f.at(33).do(tablet(f.ids["Vũ Thị Gấm"]), &meeting.WithdrawContribution{ID: gone})
	f.at(40).sec(&meeting.CloseMeeting{})
	m, err := Build(f.log)
	if err != nil {
		t.Fatal(err)
	}
	cs := m.Record().Floor.Contributions
	if len(cs) != 2 || cs[0].ID != read || !cs[0].Read || cs[0].Seconds != 7*60 || cs[1].ID != sent || cs[1].Read {
		t.Fatalf("contributions in the record = %+v; want %s read for 7 minutes, then %s sent", cs, read, sent)
	}
	pdf, err := m.PDF("vi")
	if err != nil {
		t.Fatal(err)
	}
	text := pdfRawText(t, pdf)
	for _, s := range []string{"Tham luận trình bày tại hội nghị:", "1. Trần Thị Bình — “Về chuyển đổi số trong cơ quan Đảng”, trình bày lúc 08:25",
		"Tham luận gửi đại hội (không trình bày tại hội nghị):", "1. Hoàng Văn Em — “Về phát triển nông nghiệp xanh” (tệp tham-luan.pdf, SHA-256"} {
		if !strings.Contains(text, s) {
			t.Errorf("the minutes lack %q:\n%s", s, text)
		}
	}
	if !strings.Contains(strings.ReplaceAll(text, " ", ""), "SHA-256"+strings.Repeat("b2", 32)+").") {
		t.Errorf("the minutes lack the hash of the text sent to the congress")
	}
	if strings.Contains(text, "Về du lịch cộng đồng”") && strings.Contains(text, "Vũ Thị Gấm — “Về du lịch") {
		t.Errorf("the minutes list the withdrawn contribution")
	}
}
