package httpapi

import (
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server/docfile"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/minutes"
	"github.com/phonghop/phonghop/server/room"
)

// The congress floor (docs/congress.md): the outline of a draft, the
// roll-up of its opinions, the tổ's sittings (each a meeting of its own,
// created, seeded and closed here), the presidium's live view of the tổ,
// the tổ reports and the written contributions' uploads. Opinions are
// commands (opinion.give), group-committed by the room (command, below and
// in handlers_meeting.go).

// registerFloorRoutes registers the floor's routes on the /api group.
func (s *API) registerFloorRoutes(api *echo.Group) {
	api.GET("/meetings/:id/documents/:doc/outline", s.handleOutline)
	api.GET("/meetings/:id/drafts/:doc/rollup", s.handleRollup)
	api.GET("/meetings/:id/groups/live", s.handleGroupsLive)
	api.POST("/meetings/:id/groups/:group/sit", s.handleSit)
	api.POST("/meetings/:id/groups/:group/rise", s.handleRise)
	api.GET("/meetings/:id/groups/:group/report", s.handleGroupReport)
	api.POST("/meetings/:id/contributions", s.handleContribute)
}

// ---- access to a sitting ----

// sittingActor resolves a tablet paired to a congress in one of its tổ's
// sittings: its participant, with its role there, when it is a member.
func (s *API) sittingActor(p *principal, r *room.Room) (meeting.Actor, error) {
	l, ok := r.Linked()
	if !ok || l.Parent != p.session.Meeting {
		return meeting.Actor{}, errForbidden
	}
	part, ok := r.Participant(p.session.Participant)
	if !ok {
		return meeting.Actor{}, &meeting.Error{Kind: meeting.KindForbidden,
			Message:   fmt.Sprintf("Đồng chí không thuộc %s nên không tham gia phiên thảo luận của tổ này.", l.Name),
			MessageEN: fmt.Sprintf("you are not a member of %q and cannot take part in its sitting", l.Name)}
	}
	return meeting.Actor{ID: "participant:" + part.ID, Role: part.Role, Participant: part.ID}, nil
}

// ---- outline ----

// outlineResponse is the answer of GET …/documents/{doc}/outline.
type outlineResponse struct {
	Document string            `json:"document"`
	Version  int               `json:"version"`
	Headings []docfile.Heading `json:"headings"` // with the text under each (DOCX)
	// Sections is the structure the headings propose, with the IDs of the
	// draft's sections whose titles they keep (meeting.MatchSections):
	// Sections[i] is Headings[i].
	Sections []meeting.Section `json:"sections"`
}

// outlines caches the headings of stored files by content hash.
type outlines struct {
	mu sync.Mutex // guards byHash
	// byHash: at most maxOutlines entries, any dropped when full.
	byHash map[string][]docfile.Heading
}

const maxOutlines = 64

// handleOutline returns the headings of a version of a document (?version,
// default the latest) and the structure they propose for its draft. Anyone
// who may read the document may ask (a tablet reads a DOCX draft section by
// section); a confidential document's outline is for the secretariat only.
// The read is recorded as a download.
func (s *API) handleOutline(c echo.Context) error {
	if s.docs.store == nil {
		return errNoStore
	}
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	d, _, err := readableDocument(c.Request().Context(), r, a, c.Param("doc"))
	if err != nil {
		return err
	}
	if d.Confidential() && !a.Role.Staff() {
		return errForbidden
	}
	v, err := version(d, c.QueryParam("version"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	hs, err := s.outline(ctx, v)
	if err != nil {
		return err
	}
	if err := s.docs.log.record(ctx, r, meeting.Download{Document: d.ID, Version: v.Number, By: a.ID, Participant: a.Participant}); err != nil {
		return err
	}
	var old []meeting.Section
	if dr, ok := r.State().Draft(d.ID); ok {
		old = dr.Sections
	}
	proposed := make([]meeting.Section, len(hs))
	for i, h := range hs {
		proposed[i] = meeting.Section{Label: h.Label, Title: h.Title, Level: h.Level, Page: h.Page}
	}
	c.Response().Header().Set("Cache-Control", "private, no-cache")
	return c.JSON(http.StatusOK, outlineResponse{Document: d.ID, Version: v.Number, Headings: hs, Sections: meeting.MatchSections(old, proposed)})
}

// outline returns the headings of version v, from the cache or from the
// stored bytes (spooled to a temporary file: the parsers need random
// access).
func (s *API) outline(ctx context.Context, v meeting.DocumentVersion) ([]docfile.Heading, error) {
	o := &s.docs.outlines
	o.mu.Lock()
	hs, ok := o.byHash[v.SHA256]
	o.mu.Unlock()
	if ok {
		return hs, nil
	}
	if v.ContentType != docfile.DOCX && v.ContentType != docfile.PDF {
		return nil, invalid("Chỉ đọc được mục lục của tệp DOCX hoặc PDF.", "only a DOCX or PDF file has an outline")
	}
	sum, err := hex.DecodeString(v.SHA256)
	if err != nil || len(sum) != 32 {
		return nil, meeting.Internal(fmt.Errorf("bad digest %q", v.SHA256))
	}
	rc, err := s.docs.store.Open(ctx, docstorage.ContentKey(sum), 0, -1)
	if err != nil {
		return nil, meeting.Internal(err)
	}
	u, err := s.docs.spool(rc, v.Name)
	rc.Close()
	if err != nil {
		return nil, meeting.Internal(fmt.Errorf("read %s: %w", v.SHA256, err))
	}
	defer u.remove()
	hs, err = docfile.Outline(u.f, u.size, v.ContentType)
	if err != nil {
		return nil, err
	}
	if hs == nil {
		hs = []docfile.Heading{}
	}
	o.mu.Lock()
	if len(o.byHash) >= maxOutlines {
		for k := range o.byHash {
			delete(o.byHash, k)
			break
		}
	}
	o.byHash[v.SHA256] = hs
	o.mu.Unlock()
	return hs, nil
}

// ---- roll-up ----

// errNotReader refuses the roll-up to whoever is not the secretariat or a
// reader of the draft.
var errNotReader = &meeting.Error{Kind: meeting.KindForbidden,
	Message:   "Chỉ tổ biên tập, Đoàn Chủ tịch và thư ký xem được bản tổng hợp ý kiến; các đại biểu xem số lượng trên màn hình.",
	MessageEN: "only the drafting team, the presidium and the secretariat may read the roll-up; delegates see the counts on their screens"}

// handleRollup returns the roll-up of a draft's opinions (?format=json,
// html, pdf or docx; ?by=group or delegation; ?lang=vi or en) to the
// secretariat and the draft's readers; names unless the draft is
// anonymous.
func (s *API) handleRollup(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	format, lang := cmp.Or(c.QueryParam("format"), "json"), cmp.Or(c.QueryParam("lang"), "vi")
	if !slices.Contains([]string{"json", "html", "pdf", "docx"}, format) {
		return invalid("Định dạng bản tổng hợp phải là json, html, pdf hoặc docx.", "format must be json, html, pdf or docx")
	}
	if lang != "vi" && lang != "en" {
		return invalid("Ngôn ngữ phải là vi hoặc en.", "lang must be vi or en")
	}
	st := r.State()
	d, ok := st.Draft(c.Param("doc"))
	if !ok {
		return meeting.Errorf(meeting.KindNotFound, "Không có dự thảo %q.", "no draft %q", c.Param("doc"))
	}
	if !a.Role.Staff() && !slices.Contains(d.Readers, a.Participant) {
		return errNotReader
	}
	ctx := c.Request().Context()
	var sittings []minutes.SittingNotes
	if st.Floor != nil {
		for _, g := range st.Floor.Groups {
			for _, sit := range g.Sittings {
				tr, err := s.rooms.Get(ctx, sit.Meeting)
				if err != nil {
					if meeting.KindOf(err) == meeting.KindNotFound {
						continue // a start that never finished
					}
					return err
				}
				ts := tr.State()
				names := map[string]string{}
				for _, p := range ts.Participants {
					names[p.ID] = p.Name
				}
				var notes []meeting.Note
				if ts.Floor != nil {
					notes = ts.Floor.Notes
				}
				sittings = append(sittings, minutes.SittingNotes{Group: g.Name, Number: sit.Number, Notes: notes, Names: names})
			}
		}
	}
	started := time.Now()
	ru, err := minutes.BuildRollup(minutes.RollupInput{State: st, Draft: d.Document, By: c.QueryParam("by"), Names: true, Sittings: sittings, At: s.now()})
	if err != nil {
		return err
	}
	var body []byte
	switch format {
	case "json":
		body, err = ru.JSON()
	case "html":
		body, err = ru.HTML(lang)
	case "pdf":
		body, err = ru.PDF(lang)
	case "docx":
		body, err = ru.DOCX(lang)
	}
	if err != nil {
		return err
	}
	s.log.Info("roll-up built", "meeting", r.ID(), "draft", d.Document, "format", format, "opinions", ru.Totals.Total(), "ms", time.Since(started).Milliseconds())
	ctype := map[string]string{"json": "application/json", "html": "text/html; charset=utf-8", "pdf": "application/pdf",
		"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}[format]
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Opinions", strconv.Itoa(ru.Totals.Total()))
	disp := "inline"
	if format == "docx" {
		disp = "attachment"
	}
	h.Set("Content-Disposition", fmt.Sprintf("%s; filename=\"tong-hop-y-kien-%s-%s.%s\"", disp, r.ID(), d.Document, format))
	return c.Blob(http.StatusOK, ctype, body)
}

// ---- tổ sittings ----

// sittingResponse is the answer of the sit and rise routes.
type sittingResponse struct {
	Group   string `json:"group"`
	Meeting string `json:"meeting"`
	Number  int    `json:"number"`
	Status  string `json:"status"`
}

// staffActor returns the actor of the server's own steps on behalf of a
// member of the secretariat: its ID, the secretary's role.
func staffActor(a meeting.Actor) meeting.Actor {
	return meeting.Actor{ID: a.ID, Role: meeting.RoleSecretary}
}

// handleSit starts a sitting of a tổ (secretariat): group.sit in the
// congress, then the sitting's meeting created, linked, given its agenda
// and opened. Every step is skipped when done, so a start interrupted
// half-way is finished by asking again.
func (s *API) handleSit(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	if !a.Role.Staff() {
		return errForbidden
	}
	ctx := c.Request().Context()
	gid := c.Param("group")
	g, ok := r.State().Group(gid)
	if !ok {
		return meeting.Errorf(meeting.KindNotFound, "Không tìm thấy tổ %q.", "group %q not found", gid)
	}
	if g.Sitting == "" {
		if _, err := s.command(ctx, r, a, "group.sit", mustJSON(map[string]string{"group": gid})); err != nil {
			return err
		}
		g, _ = r.State().Group(gid)
	}
	tr, err := s.ensureSitting(ctx, r, a, g)
	if err != nil {
		return err
	}
	n := g.Sittings[len(g.Sittings)-1].Number
	_, st := tr.Summary()
	s.log.Info("tổ sitting started", "meeting", r.ID(), "group", gid, "sitting", tr.ID())
	return c.JSON(http.StatusOK, sittingResponse{Group: gid, Meeting: tr.ID(), Number: n, Status: string(st)})
}

// ensureSitting creates, links, prepares and opens the meeting of g's
// current sitting, each step only if not done yet.
func (s *API) ensureSitting(ctx context.Context, r *room.Room, a meeting.Actor, g meeting.Group) (*room.Room, error) {
	cs := r.State()
	sit := g.Sittings[len(g.Sittings)-1]
	sa := staffActor(a)
	tr, err := s.rooms.Get(ctx, sit.Meeting)
	if meeting.KindOf(err) == meeting.KindNotFound {
		d := meeting.Details{Title: fmt.Sprintf("%s — thảo luận các dự thảo văn kiện", g.Name), Organization: cs.Details.Organization,
			Place: cs.Details.Place, Locality: cs.Details.Locality, StartsAt: s.now().UTC(), Collective: g.Name}
		if p, ok := cs.Participant(g.Leader); ok {
			d.Chair, d.ChairPost = p.Name, "Tổ trưởng"
		}
		if p, ok := cs.Participant(g.Secretary); ok {
			d.Secretary = p.Name
		}
		tr, err = s.rooms.Create(ctx, sit.Meeting, sa, d)
		if meeting.KindOf(err) == meeting.KindConflict { // created meanwhile
			tr, err = s.rooms.Get(ctx, sit.Meeting)
		}
	}
	if err != nil {
		return nil, err
	}
	ts := tr.State()
	if _, linked := ts.Linked(); !linked {
		link := meeting.LinkSitting{SittingLink: meeting.SittingLink{Parent: cs.ID, Congress: cs.Details.Title, Group: g.ID, Name: g.Name, Number: sit.Number,
			Leader: g.Leader, Deputy: g.Deputy, Secretary: g.Secretary}}
		if cs.Floor != nil {
			for _, dr := range cs.Floor.Drafts {
				doc, _ := cs.Document(dr.Document)
				link.Drafts = append(link.Drafts, meeting.LinkedDraft{Document: dr.Document, Title: doc.Title, Sections: dr.Sections})
			}
		}
		for _, id := range g.Members {
			if p, ok := cs.Participant(id); ok {
				link.Members = append(link.Members, p)
			}
		}
		if _, err := tr.Submit(ctx, meeting.Actor{ID: a.ID, Role: meeting.RoleSystem}, &link); err != nil {
			return nil, err
		}
		if z := cs.Settings.TimeZone; z != "" && z != ts.Settings.TimeZone {
			if _, err := tr.Submit(ctx, sa, &meeting.Configure{TimeZone: &z}); err != nil {
				return nil, err
			}
		}
		ts = tr.State()
	}
	if len(ts.Agenda) == 0 {
		if _, err := tr.Submit(ctx, sa, &meeting.AddItem{Title: "Thảo luận các dự thảo văn kiện"}); err != nil {
			return nil, err
		}
	}
	if ts.Status == meeting.StatusDraft {
		if _, err := tr.Submit(ctx, sa, &meeting.OpenMeeting{}); err != nil {
			return nil, err
		}
	}
	if ts = tr.State(); ts.Current == "" && ts.Status != meeting.StatusClosed {
		if _, err := tr.Submit(ctx, sa, &meeting.AdvanceAgenda{}); err != nil {
			return nil, err
		}
	}
	return tr, nil
}

// handleRise ends the sitting of a tổ (secretariat): the members' written
// opinions are counted into the sitting (sitting.summary), the sitting is
// closed, then group.rise in the congress. Each step can be repeated.
func (s *API) handleRise(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	if !a.Role.Staff() {
		return errForbidden
	}
	ctx := c.Request().Context()
	gid := c.Param("group")
	cs := r.State()
	g, ok := cs.Group(gid)
	if !ok {
		return meeting.Errorf(meeting.KindNotFound, "Không tìm thấy tổ %q.", "group %q not found", gid)
	}
	if g.Sitting == "" {
		return meeting.Errorf(meeting.KindConflict, "%s không đang thảo luận.", "group %q is not sitting", g.Name)
	}
	tr, err := s.rooms.Get(ctx, g.Sitting)
	if err != nil && meeting.KindOf(err) != meeting.KindNotFound {
		return err
	}
	if tr != nil {
		if _, err := tr.Submit(ctx, meeting.Actor{ID: a.ID, Role: meeting.RoleSystem}, &meeting.SummarizeSitting{Drafts: summaries(cs, g)}); err != nil {
			return err
		}
		if _, st := tr.Summary(); st == meeting.StatusOpen || st == meeting.StatusPaused {
			if _, err := tr.Submit(ctx, staffActor(a), &meeting.CloseMeeting{}); err != nil {
				return err
			}
		}
	}
	if _, err := s.command(ctx, r, a, "group.rise", mustJSON(map[string]string{"group": gid})); err != nil {
		return err
	}
	s.log.Info("tổ sitting ended", "meeting", r.ID(), "group", gid, "sitting", g.Sitting)
	return c.JSON(http.StatusOK, sittingResponse{Group: gid, Meeting: g.Sitting, Number: g.Sittings[len(g.Sittings)-1].Number, Status: string(meeting.StatusClosed)})
}

// summaries counts the written opinions of g's members on each draft of
// the congress cs.
func summaries(cs *meeting.State, g meeting.Group) []meeting.DraftSummary {
	out := []meeting.DraftSummary{}
	if cs.Floor == nil {
		return out
	}
	for _, d := range cs.Floor.Drafts {
		doc, _ := cs.Document(d.Document)
		sum := meeting.DraftSummary{Document: d.Document, Title: doc.Title, Sections: d.Sections, Counts: []meeting.SectionCount{}}
		idx := map[string]int{}
		for _, o := range cs.Opinions(d.Document) {
			if !slices.Contains(g.Members, o.Participant) {
				continue
			}
			i, ok := idx[o.Section]
			if !ok {
				i = len(sum.Counts)
				idx[o.Section] = i
				sum.Counts = append(sum.Counts, meeting.SectionCount{Section: o.Section})
			}
			switch o.Kind {
			case meeting.OpinionAgree:
				sum.Counts[i].Agree++
			case meeting.OpinionDisagree:
				sum.Counts[i].Disagree++
			case meeting.OpinionPartial:
				sum.Counts[i].Partial++
			}
			sum.Opinions++
		}
		// In the order of the draft's structure, the whole draft first.
		order := func(sec string) int {
			if sec == "" {
				return -1
			}
			if i := slices.IndexFunc(d.Sections, func(x meeting.Section) bool { return x.ID == sec }); i >= 0 {
				return i
			}
			return len(d.Sections)
		}
		slices.SortStableFunc(sum.Counts, func(x, y meeting.SectionCount) int { return order(x.Section) - order(y.Section) })
		out = append(out, sum)
	}
	return out
}

// ---- the presidium's live view ----

// groupLive is one tổ as the presidium's console shows it.
type groupLive struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Members int    `json:"members"`
	Sitting string `json:"sitting,omitempty"` // its meeting while it sits
	Number  int    `json:"number,omitempty"`
	Status  string `json:"status,omitempty"`
	Present int    `json:"present"`
	Speaker string `json:"speaker,omitempty"` // who has the floor
	// SpeakingMs is how long the speaker has spoken (at the answer's time).
	SpeakingMs int64 `json:"speaking_ms,omitempty"`
	Waiting    int   `json:"waiting"` // requests for the floor on the current item
	Notes      int   `json:"notes"`
	Opinions   int   `json:"opinions"` // written opinions of its members, on every draft
}

// handleGroupsLive tells the secretariat and the presidium how every tổ
// stands now: sitting or not, members present, who is speaking and for how
// long, how many wait, the thư ký's notes, the members' written opinions.
// The console polls it (one request for every tổ, not a socket per sitting).
func (s *API) handleGroupsLive(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	cs := r.State()
	if !a.Role.Staff() && !presidiumMember(cs, a.Participant) {
		return errForbidden
	}
	ctx := c.Request().Context()
	now := s.now()
	out := []groupLive{}
	if cs.Floor != nil {
		opinions := map[string]int{}
		for _, o := range cs.Floor.Opinions {
			opinions[o.Participant]++
		}
		for _, g := range cs.Floor.Groups {
			x := groupLive{ID: g.ID, Name: g.Name, Members: len(g.Members), Sitting: g.Sitting}
			for _, m := range g.Members {
				x.Opinions += opinions[m]
			}
			if g.Sitting != "" {
				x.Number = g.Sittings[len(g.Sittings)-1].Number
				if tr, err := s.rooms.Get(ctx, g.Sitting); err == nil {
					ts := tr.State()
					x.Status = string(ts.Status)
					x.Present = meeting.QuorumOf(ts).Present
					if sp, ok := ts.Speaking(); ok {
						p, _ := ts.Participant(sp.Participant)
						x.Speaker, x.SpeakingMs = p.Name, sp.ElapsedAt(now).Milliseconds()
					}
					x.Waiting = len(ts.Queue(ts.Current))
					if ts.Floor != nil {
						x.Notes = len(ts.Floor.Notes)
					}
				}
			}
			out = append(out, x)
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"groups": out, "at": now.UTC()})
}

// presidiumMember reports whether participant pid is a member of the
// congress's presidium (proposed or approved).
func presidiumMember(s *meeting.State, pid string) bool {
	b, ok := s.Body(meeting.BodyPresidium)
	return ok && pid != "" && b.Has(pid)
}

// ---- tổ reports ----

// handleGroupReport renders the tổ report of a sitting (?sitting=n, default
// the last; ?format=json, html or pdf; ?lang) for the secretariat, the
// presidium and the tổ's members: the minutes of the sitting's log.
func (s *API) handleGroupReport(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	format, lang := cmp.Or(c.QueryParam("format"), "json"), cmp.Or(c.QueryParam("lang"), "vi")
	if format != "json" && format != "html" && format != "pdf" {
		return invalid("Định dạng biên bản phải là json, html hoặc pdf.", "format must be json, html or pdf")
	}
	if lang != "vi" && lang != "en" {
		return invalid("Ngôn ngữ biên bản phải là vi hoặc en.", "lang must be vi or en")
	}
	cs := r.State()
	g, ok := cs.Group(c.Param("group"))
	if !ok {
		return meeting.Errorf(meeting.KindNotFound, "Không tìm thấy tổ %q.", "group %q not found", c.Param("group"))
	}
	if !a.Role.Staff() && !presidiumMember(cs, a.Participant) && !slices.Contains(g.Members, a.Participant) {
		return errForbidden
	}
	if len(g.Sittings) == 0 {
		return meeting.Errorf(meeting.KindNotFound, "%s chưa có phiên thảo luận nào.", "group %q has not sat yet", g.Name)
	}
	sit := g.Sittings[len(g.Sittings)-1]
	if n := c.QueryParam("sitting"); n != "" {
		k, err := strconv.Atoi(n)
		if err != nil || k < 1 || k > len(g.Sittings) {
			return meeting.Errorf(meeting.KindNotFound, "%s không có phiên thảo luận số %s.", "group %q has no sitting %s", g.Name, n)
		}
		sit = g.Sittings[k-1]
	}
	log, err := s.fullLog(c.Request().Context(), sit.Meeting)
	if err != nil {
		return err
	}
	if len(log) == 0 {
		return meeting.Errorf(meeting.KindNotFound, "Phiên thảo luận chưa được tạo.", "the sitting was not created")
	}
	m, err := minutes.Build(log)
	if err != nil {
		return err
	}
	var body []byte
	switch format {
	case "json":
		body, err = m.JSON()
	case "html":
		body, err = m.HTML(lang)
	case "pdf":
		body, err = m.PDF(lang)
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", fmt.Sprintf("inline; filename=\"bien-ban-thao-luan-%s-phien-%d.%s\"", g.ID, sit.Number, format))
	ctype := map[string]string{"json": "application/json", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}[format]
	return c.Blob(http.StatusOK, ctype, body)
}

// ---- written contributions ----

// contributionFields are the form fields of a contribution's upload,
// besides "file".
var contributionFields = []string{"title", "participant"}

type contributionResponse struct {
	Contribution meeting.Contribution `json:"contribution"`
	Seq          int64                `json:"seq"`
}

// handleContribute registers a written contribution: a delegate's own
// (from the tablet), or one the secretariat uploads on a delegate's behalf
// (field participant). The text (PDF or DOCX, checked by content) is stored
// like a document; nothing is stored when the contribution is refused.
func (s *API) handleContribute(c echo.Context) error {
	if s.docs.store == nil {
		return errNoStore
	}
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	if _, st := r.Summary(); st == meeting.StatusClosed {
		return meeting.Errorf(meeting.KindConflict, "Cuộc họp đã kết thúc, không thể thay đổi.", "the meeting is closed and cannot change")
	}
	if a.Participant == "" && !a.Role.Staff() {
		return errForbidden
	}
	form, err := s.readUploadFields(c, contributionFields)
	if err != nil {
		if err == errUploadTooLarge {
			return s.tooLarge(c)
		}
		return err
	}
	defer form.file.remove()
	who := form.get("participant")
	switch {
	case a.Role.Staff() && a.Participant == "" && who == "":
		return &meeting.Error{Kind: meeting.KindInvalid, Message: "Chọn đại biểu gửi tham luận.", MessageEN: "name the delegate (participant)",
			Problems: []meeting.Problem{{Field: "participant", Message: "Chọn đại biểu.", MessageEN: "required"}}}
	case who == "":
		who = a.Participant
	case who != a.Participant && !a.Role.Staff():
		return errForbidden
	}
	file, err := fileOf(form.file)
	if err != nil {
		return err
	}
	cmd := &meeting.RegisterContribution{Participant: who, Title: strings.TrimSpace(form.get("title")), File: file}
	events, err := s.submitUpload(c.Request().Context(), r, a, form.file, file, cmd)
	if err != nil {
		return err
	}
	last := events[len(events)-1]
	var reg meeting.ContributionRegistered
	if err := json.Unmarshal(last.Data, &reg); err != nil {
		return meeting.Internal(err)
	}
	con, _ := r.State().Contribution(reg.ID)
	s.log.Info("contribution registered", "meeting", r.ID(), "seq", last.Seq, "contribution", reg.ID, "participant", who, "by", a.ID)
	return c.JSON(http.StatusCreated, contributionResponse{Contribution: con, Seq: last.Seq})
}
