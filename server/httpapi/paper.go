package httpapi

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/minutes"
)

// Paper ballots counted by the counting committee (docs/paper.md): the
// printed ballots, the view of an entry station and of the committee, and
// the entry log. The commands (paper.*) go through /ws and
// POST /api/meetings/:id/commands like every other command.

// registerPaperRoutes registers the paper routes on the /api group.
func (s *API) registerPaperRoutes(api *echo.Group) {
	api.GET("/meetings/:id/polls/:poll/paper", s.handlePaperView)
	api.GET("/meetings/:id/polls/:poll/paper/ballots", s.handlePaperBallots)
	api.GET("/meetings/:id/polls/:poll/paper/log", s.handlePaperLog)
}

// stationID derives an entry station's ID from a session's token hash (hex):
// stable for the session's life (a restart included), different for each
// device, and not the stored hash itself.
func stationID(sessionHash string) string {
	h := sha256.Sum256([]byte("phonghop station\x00" + sessionHash))
	return "st-" + hex.EncodeToString(h[:4])
}

// paperRole says what a caller may see of paper counting: the secretariat,
// a committee member, a named technician, or nobody.
func paperRole(st *meeting.State, a meeting.Actor) (staff, member, tech bool) {
	staff = a.Role.Staff()
	member = a.Participant != "" && st.InBody(meeting.BodyCounting, a.Participant)
	tech = a.Role == meeting.RoleTechnician && st.IsTechnician(a.Participant)
	return
}

// PaperView is what GET …/paper returns: the state of a paper poll's
// counting as the caller may see it. A station sees the marks of its own
// entries; the marks of other entries only for complete bundles (every
// entry finished), where the differences are shown side by side.
type paperView struct {
	Poll       paperPoll        `json:"poll"`
	Me         paperMe          `json:"me"`
	Times      int              `json:"times"`
	Recorded   bool             `json:"recorded"`
	Issued     int              `json:"issued"`
	Returned   int              `json:"returned"`
	Keyed      int              `json:"keyed"`
	Entered    int              `json:"entered"`
	Agreed     int              `json:"agreed"`
	Flagged    int              `json:"flagged"`
	Decided    int              `json:"decided"`
	Unresolved int              `json:"unresolved"`
	Incomplete int              `json:"incomplete"`
	Ready      *meeting.Error   `json:"ready,omitempty"` // why the counting cannot close yet; null when it can
	Bundles    []paperViewBundl `json:"bundles"`
	Stations   []string         `json:"stations"` // station IDs in the order they first keyed ("Máy 1" is the first)
}

type paperPoll struct {
	ID       string             `json:"id"`
	Question string             `json:"question"`
	Kind     meeting.PollKind   `json:"kind"`
	Form     string             `json:"form"`
	Status   meeting.PollStatus `json:"status"`
	Seats    int                `json:"seats,omitempty"`
	Names    []string           `json:"names"`
	Levels   []string           `json:"levels,omitempty"` // rating: level keys, best first (1 is the first)
	Result   *meeting.Result    `json:"result,omitempty"` // once counted
}

type paperMe struct {
	Participant string `json:"participant,omitempty"`
	Name        string `json:"name,omitempty"`
	Station     string `json:"station,omitempty"`
	Member      bool   `json:"member"`     // on the counting committee: may decide
	Technician  bool   `json:"technician"` // a named technician
	Staff       bool   `json:"staff"`
}

type paperViewBundl struct {
	Bundle   int              `json:"bundle"`
	Entries  []paperViewEntry `json:"entries"`
	Complete bool             `json:"complete"`
	Flagged  int              `json:"flagged"`
	Open     int              `json:"open"`
	Ballots  int              `json:"ballots"` // positions so far
	// Mine is this station's entry: its marks in position order.
	Mine []meeting.PaperMarks `json:"mine,omitempty"`
	// Slots are the flagged positions of a complete bundle, side by side.
	Slots []paperViewSlot `json:"slots,omitempty"`
}

type paperViewEntry struct {
	Station  string `json:"station"`
	Operator string `json:"operator"` // name
	Count    int    `json:"count"`
	Finished bool   `json:"finished"`
	Mine     bool   `json:"mine"`
}

type paperViewSlot struct {
	Position int                   `json:"position"`
	Entries  []*meeting.PaperMarks `json:"entries"`
	Keyed    []string              `json:"keyed"` // as keyed (PaperMarks.String), "" for none
	Decision *paperViewDecision    `json:"decision,omitempty"`
}

type paperViewDecision struct {
	Marks  *meeting.PaperMarks `json:"marks,omitempty"`
	Absent bool                `json:"absent,omitempty"`
	By     string              `json:"by"`
	At     string              `json:"at"`
	Note   string              `json:"note"`
}

// handlePaperView returns the counting view of a paper poll to the
// secretariat, the committee and its named technicians.
func (s *API) handlePaperView(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	st := r.State()
	staff, member, tech := paperRole(st, a)
	if !staff && !member && !tech {
		return meeting.Errorf(meeting.KindForbidden, "Chỉ Ban Kiểm phiếu, kỹ thuật viên được Ban chỉ định và thư ký được xem việc nhập phiếu.",
			"only the counting committee, its technicians and the secretariat may see the entry of ballots")
	}
	p, ok := st.Poll(c.Param("poll"))
	if !ok || !p.Paper {
		return meeting.Errorf(meeting.KindNotFound, "Không tìm thấy cuộc bỏ phiếu giấy %q.", "paper poll %q not found", c.Param("poll"))
	}
	rec := meeting.Reconcile(p)
	name := func(id string) string {
		if q, ok := st.Participant(id); ok {
			return q.Name
		}
		return id
	}
	v := paperView{Poll: paperPoll{ID: p.ID, Question: p.Question, Kind: p.Kind, Form: p.PaperForm(), Status: p.Status, Seats: p.Seats, Names: []string{}},
		Me:    paperMe{Participant: a.Participant, Name: name(a.Participant), Station: a.Station, Member: member, Technician: tech, Staff: staff},
		Times: rec.Times, Recorded: rec.Recorded, Issued: rec.Issued, Returned: rec.Returned, Keyed: rec.Keyed, Entered: rec.Entered, Agreed: rec.Agreed,
		Flagged: rec.Flagged, Decided: rec.Decided, Unresolved: rec.Unresolved, Incomplete: rec.Incomplete, Bundles: []paperViewBundl{}, Stations: []string{}}
	if a.Participant == "" {
		v.Me.Name = ""
	}
	for _, n := range p.Names() {
		v.Poll.Names = append(v.Poll.Names, n.Name)
	}
	for _, l := range p.Scale.Levels() {
		v.Poll.Levels = append(v.Poll.Levels, string(l))
	}
	if p.Status == meeting.PollStatusPublished || (staff && p.Result != nil) {
		v.Poll.Result = p.Result
	}
	if err := rec.Ready(); err != nil && p.Status == meeting.PollStatusOpen {
		me, _ := err.(*meeting.Error)
		v.Ready = me
	}
	seen := map[string]bool{}
	if p.PaperCount != nil {
		for _, x := range p.PaperCount.Records {
			if x.Station != "" && !seen[x.Station] {
				seen[x.Station] = true
				v.Stations = append(v.Stations, x.Station)
			}
		}
	}
	for _, b := range rec.Bundles {
		vb := paperViewBundl{Bundle: b.Bundle, Entries: []paperViewEntry{}, Complete: b.Complete, Flagged: b.Flagged, Open: b.Open}
		for _, e := range b.Entries {
			mine := e.Station == a.Station && a.Station != ""
			vb.Entries = append(vb.Entries, paperViewEntry{Station: e.Station, Operator: name(e.Operator), Count: len(e.Marks), Finished: e.Finished, Mine: mine})
			vb.Ballots = max(vb.Ballots, len(e.Marks))
			if mine {
				vb.Mine = e.Marks
			}
		}
		if b.Complete {
			for _, sl := range b.Slots {
				if !sl.Flagged {
					continue
				}
				vs := paperViewSlot{Position: sl.Position, Entries: sl.Entries}
				for _, m := range sl.Entries {
					if m == nil {
						vs.Keyed = append(vs.Keyed, "")
					} else {
						vs.Keyed = append(vs.Keyed, m.String())
					}
				}
				if d := sl.Decision; d != nil {
					vs.Decision = &paperViewDecision{Marks: d.Marks, Absent: d.Absent, By: name(d.Operator), At: d.At.Format("15:04:05"), Note: d.Note}
				}
				vb.Slots = append(vb.Slots, vs)
			}
		}
		v.Bundles = append(v.Bundles, vb)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, v)
}

// handlePaperBallots prints the ballots of a paper poll (PDF), for the
// secretariat and the counting committee.
func (s *API) handlePaperBallots(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	st := r.State()
	if staff, member, _ := paperRole(st, a); !staff && !member {
		return errForbidden
	}
	copies := 1
	if q := c.QueryParam("copies"); q != "" {
		if copies, err = strconv.Atoi(q); err != nil {
			return invalid("Số bản in phải là một số.", "copies must be a number")
		}
	}
	lang := cmp.Or(c.QueryParam("lang"), "vi")
	if lang != "vi" && lang != "en" {
		return invalid("Ngôn ngữ phải là vi hoặc en.", "lang must be vi or en")
	}
	body, err := minutes.PaperBallots(st, c.Param("poll"), copies, lang)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", fmt.Sprintf("inline; filename=\"phieu-%s-%s.pdf\"", r.ID(), c.Param("poll")))
	return c.Blob(http.StatusOK, "application/pdf", body)
}

// handlePaperLog renders the entry log (nhật ký nhập phiếu) of a paper
// poll from the full log, for the secretariat and the counting committee:
// JSON (default), HTML or PDF. Header X-Log-Hash: the SHA-256 of its JSON,
// as printed on the counting record.
func (s *API) handlePaperLog(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	if staff, member, _ := paperRole(r.State(), a); !staff && !member {
		return errForbidden
	}
	format, lang := cmp.Or(c.QueryParam("format"), "json"), cmp.Or(c.QueryParam("lang"), "vi")
	if format != "json" && format != "html" && format != "pdf" {
		return invalid("Định dạng nhật ký phải là json, html hoặc pdf.", "format must be json, html or pdf")
	}
	if lang != "vi" && lang != "en" {
		return invalid("Ngôn ngữ phải là vi hoặc en.", "lang must be vi or en")
	}
	events, err := s.fullLog(c.Request().Context(), r.ID())
	if err != nil {
		return err
	}
	l, err := minutes.BuildEntryLog(events, c.Param("poll"))
	if err != nil {
		return err
	}
	var body []byte
	switch format {
	case "json":
		body, err = l.JSON()
	case "html":
		body, err = l.HTML(lang)
	case "pdf":
		body, err = l.PDF(lang)
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Log-Hash", l.Hash())
	h.Set("Content-Disposition", fmt.Sprintf("inline; filename=\"nhat-ky-nhap-phieu-%s-%s.%s\"", r.ID(), c.Param("poll"), format))
	ctype := map[string]string{"json": "application/json", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}[format]
	return c.Blob(http.StatusOK, ctype, body)
}
