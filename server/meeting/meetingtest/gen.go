package meetingtest

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// The generator of random meetings. It writes one step at a time, aimed at
// the state of the run so far: a command of a kind drawn at random (by the
// weights of Kinds), naming things that exist (a participant, an open poll,
// a published document) and data that is mostly valid, sometimes not — so
// that most commands are accepted and the meeting goes somewhere: people
// arrive, speak, vote, elect, rate, re-vote; documents come and go; the
// meeting closes and its minutes are finalised and corrected. Ballots are
// mostly well formed, sometimes spoiled, invalid, malformed, or cast twice.
//
// Adding a command to package meeting: add its generator to Kinds (a test
// fails until you do). See docs/testing.md.

// Kind generates the commands of one kind.
type Kind struct {
	// Weight is how often the kind is drawn, relative to the others.
	Weight int
	// Gen returns a command for the state of g's run: the actor (see
	// Step.Actor) and the data, which is marshalled to JSON (IDs in it
	// written as references with g.Ref). ok is false when the kind makes
	// no sense now (nothing to act on); another kind is drawn.
	Gen func(g *Gen) (actor string, data any, ok bool)
}

// Kinds are the generators of every command of package meeting, by wire
// name.
var Kinds = map[string]Kind{
	"meeting.create":    {0, genCreate}, // the first step, always
	"meeting.update":    {1, genUpdate},
	"meeting.open":      {4, genOpen},
	"meeting.pause":     {1, genPause},
	"meeting.resume":    {3, genResume},
	"meeting.close":     {1, genClose},
	"meeting.configure": {2, genConfigure},

	"agenda.add":     {4, genAgendaAdd},
	"agenda.rename":  {1, genAgendaRename},
	"agenda.move":    {1, genAgendaMove},
	"agenda.remove":  {1, genAgendaRemove},
	"agenda.done":    {1, genAgendaDone},
	"agenda.current": {3, genAgendaCurrent},
	"agenda.advance": {2, genAgendaAdvance},

	"participant.add":    {3, genParticipantAdd},
	"participant.import": {3, genParticipantImport},
	"participant.update": {1, genParticipantUpdate},
	"participant.remove": {1, genParticipantRemove},
	"participant.paired": {1, genParticipantPaired},
	"notice.send":        {1, genNotice},

	"attendance.check_in":         {6, genCheckIn},
	"attendance.mark":             {5, genMark},
	"attendance.check_out":        {2, genCheckOut},
	"attendance.mark_all_present": {1, genMarkAll},

	"speaker.request":     {3, genSpeakerRequest},
	"speaker.withdraw":    {1, genSpeakerWithdraw},
	"speaker.reorder":     {1, genSpeakerReorder},
	"speaker.add":         {2, genSpeakerAdd},
	"speaker.give_floor":  {3, genGiveFloor},
	"speaker.end":         {2, genSpeechEnd},
	"speaker.close_list":  {1, genCloseList},
	"speaker.reopen_list": {1, genReopenList},
	"speaker.timer":       {1, genTimer},
	"speaker.set_limit":   {1, genSetLimit},

	"poll.create":       {5, genPollCreate},
	"poll.update":       {1, genPollUpdate},
	"poll.open":         {5, genPollOpen},
	"poll.record_votes": {14, genRecordVotes},
	"poll.close":        {3, genPollClose},
	"poll.publish":      {3, genPollPublish},
	"poll.cancel":       {1, genPollCancel},
	"poll.revote":       {2, genPollRevote},
	"body.propose":      {2, genBodyPropose},

	// Paper counting (gen_paper.go).
	"paper.technicians":   {1, genPaperTechnicians},
	"paper.record_counts": {1, genPaperCounts},
	"paper.enter":         {4, genPaperEnter},
	"paper.undo":          {1, genPaperUndo},
	"paper.finish":        {2, genPaperFinish},
	"paper.decide":        {1, genPaperDecide},

	"document.add":              {2, genDocumentAdd},
	"document.add_version":      {1, genDocumentVersion},
	"document.update":           {1, genDocumentUpdate},
	"document.publish":          {1, genDocumentPublish},
	"document.withdraw":         {1, genDocumentWithdraw},
	"document.record_downloads": {1, genDownloads},
	"document.present":          {1, genPresent},

	"minutes.conclude": {2, genConclude},
	"minutes.finalize": {1, genFinalize},
	"minutes.correct":  {1, genCorrect},

	"support.request": {1, genSupportRequest},
	"support.resolve": {1, genSupportResolve},
}

// kindNames are the names of Kinds, sorted: the draw must not depend on
// the order of a map.
var kindNames = func() []string {
	var out []string
	for n := range withFloor(Kinds) { // the floor's generators (gen_floor.go) join Kinds here
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}()

// Gen generates the steps of one random meeting.
type Gen struct {
	r    *Run
	rng  *rand.Rand
	plan int // steps planned
	made int // steps made
	// paper is the paper counting's plan and physical ballots (gen_paper.go).
	paper *paperGen
}

// NewGen returns the generator of the meeting of seed, of about steps
// steps, for run r.
func NewGen(seed uint64, steps int, r *Run) *Gen {
	return &Gen{r: r, rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), plan: steps}
}

// Generate generates and runs the meeting of seed: about steps commands,
// each run and checked as soon as it is made. It returns the script made
// so far and the first broken invariant, if any.
func Generate(seed uint64, steps int, opts Options) (Script, *Run, error) {
	r := NewRun(opts)
	g := NewGen(seed, steps, r)
	var sc Script
	for g.made < g.plan {
		st, ok := g.Next()
		if !ok {
			break
		}
		sc = append(sc, st)
		if err := r.Exec(st); err != nil {
			return sc, r, err
		}
	}
	return sc, r, r.Finish()
}

// Exec runs a script on a new run and checks the invariants all the way.
func Exec(sc Script, opts Options) (*Run, error) {
	r := NewRun(opts)
	for _, st := range sc {
		if err := r.Exec(st); err != nil {
			return r, err
		}
	}
	return r, r.Finish()
}

// Next returns the next step, or false when the meeting is over.
func (g *Gen) Next() (Step, bool) {
	s := g.r.State
	g.made++
	after := g.delay()
	if !s.Created() {
		a, d, _ := genCreate(g)
		return g.step(after, "meeting.create", a, d), true
	}
	switch {
	case s.Status == meeting.StatusClosed:
		// After the close: the minutes, mostly, and a few commands the
		// closed meeting refuses; the end once finalised.
		if s.Minutes.Final() && g.chance(0.25) {
			return Step{}, false
		}
		if g.chance(0.85) {
			for _, name := range []string{"minutes.conclude", "minutes.finalize", "minutes.correct"} {
				if a, d, ok := Kinds[name].Gen(g); ok && g.chance(0.5) {
					return g.step(after, name, a, d), true
				}
			}
		}
	case g.made*5 >= g.plan*4 && g.chance(0.5):
		// The wrap-up, over the last fifth: polls closed and published,
		// the meeting closed.
		for _, name := range []string{"poll.close", "poll.publish", "meeting.close"} {
			if a, d, ok := Kinds[name].Gen(g); ok {
				return g.step(after, name, a, d), true
			}
		}
	}
	total := 0
	for _, n := range kindNames {
		total += g.weight(n)
	}
	for try := 0; try < 50; try++ {
		x := g.rng.IntN(total)
		for _, n := range kindNames {
			if x -= g.weight(n); x < 0 {
				if a, d, ok := Kinds[n].Gen(g); ok {
					return g.step(after, n, a, d), true
				}
				break
			}
		}
	}
	return Step{}, false
}

// weight is the weight of kind n now: the roll and the agenda set up
// first; people arriving once the meeting is open; voting while a poll
// waits for voters; polls opened once there are voters.
func (g *Gen) weight(n string) int {
	w := Kinds[n].Weight
	s := g.r.State
	switch n {
	case "participant.import", "participant.add":
		if len(s.Participants) < 6 {
			w *= 8
		}
	case "agenda.add":
		if len(s.Agenda) < 3 {
			w *= 4
		}
	case "poll.record_votes":
		if g.waiting() {
			w *= 5
		}
	case "attendance.check_in", "attendance.mark", "attendance.mark_all_present":
		if s.Status != meeting.StatusDraft && g.absent() > 2 {
			w *= 3
		}
	case "poll.open":
		if s.Status == meeting.StatusOpen && len(g.polls(meeting.PollStatusDraft)) > 0 && g.absent() <= 2 {
			w *= 3
		}
	case "poll.create":
		if len(g.polls(meeting.PollStatusDraft)) > 2 {
			w /= 3
		}
	case "meeting.close":
		if g.made*2 < g.plan {
			w = 0 // not in the first half
		}
	}
	if strings.HasPrefix(n, "speaker.") && s.Current == "" {
		w /= 2
	}
	return g.paperWeight(n, w)
}

// absent returns how many entitled members are not at the meeting.
func (g *Gen) absent() int {
	n := 0
	for _, p := range g.r.State.Participants {
		if p.Entitled() && !g.here(p) {
			n++
		}
	}
	return n
}

// step marshals data into a step.
func (g *Gen) step(after time.Duration, name, actor string, data any) Step {
	b, err := json.Marshal(data)
	if err != nil {
		panic(fmt.Sprintf("meetingtest: data of %s does not encode: %v", name, err))
	}
	return Step{After: after, Actor: actor, Name: name, Data: string(b)}
}

// delay is the time between two steps: mostly seconds, sometimes minutes,
// rarely most of an hour.
func (g *Gen) delay() time.Duration {
	switch x := g.rng.IntN(100); {
	case x < 70:
		return time.Duration(g.rng.IntN(61)) * time.Second
	case x < 95:
		return time.Duration(60+g.rng.IntN(540)) * time.Second
	}
	return time.Duration(600+g.rng.IntN(3000)) * time.Second
}

// waiting reports whether an open poll waits for some of its voters.
func (g *Gen) waiting() bool {
	for _, p := range g.r.State.Polls {
		if p.Status == meeting.PollStatusOpen && p.Voted < len(p.Eligible) && !p.Paper {
			return true
		}
	}
	return false
}

// Ref returns the reference of ID id (see Run.Ref).
func (g *Gen) Ref(id string) string { return g.r.Ref(id) }

// State returns the live state of the run.
func (g *Gen) State() *meeting.State { return g.r.State }

// Chance reports true with probability p.
func (g *Gen) chance(p float64) bool { return g.rng.Float64() < p }

// Chance reports true with probability p.
func (g *Gen) Chance(p float64) bool { return g.chance(p) }

// IntN returns a random int in [0, n).
func (g *Gen) IntN(n int) int { return g.rng.IntN(n) }

// one returns a random element of list (zero when empty) and whether there
// was one.
func one[T any](g *Gen, list []T) (T, bool) {
	var zero T
	if len(list) == 0 {
		return zero, false
	}
	return list[g.rng.IntN(len(list))], true
}

// staff is the actor of a secretariat's command: mostly the secretary's
// account, sometimes the chair's tablet.
func (g *Gen) staff() string {
	if g.chance(0.2) {
		if p, ok := one(g, g.people(func(p meeting.Participant) bool { return p.Role.Staff() })); ok {
			return g.Ref(p.ID)
		}
	}
	return ActorSecretary
}

// people returns the participants that keep.
func (g *Gen) people(keep func(meeting.Participant) bool) []meeting.Participant {
	var out []meeting.Participant
	for _, p := range g.r.State.Participants {
		if keep == nil || keep(p) {
			out = append(out, p)
		}
	}
	return out
}

// here reports whether participant p is at the meeting now.
func (g *Gen) here(p meeting.Participant) bool { return g.r.State.Attendance[p.ID].In() }

// polls returns the polls in one of statuses.
func (g *Gen) polls(statuses ...meeting.PollStatus) []meeting.Poll {
	var out []meeting.Poll
	for _, p := range g.r.State.Polls {
		if slices.Contains(statuses, p.Status) {
			out = append(out, p)
		}
	}
	return out
}

// item returns a random agenda item's reference, or "" with probability
// none or when there is none.
func (g *Gen) item(none float64) string {
	it, ok := one(g, g.r.State.Agenda)
	if !ok || g.chance(none) {
		return ""
	}
	return g.Ref(it.ID)
}

// ---- text ----

var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Mai", "Tạ"}
	middleNames = []string{"Văn", "Thị", "Minh", "Quang", "Thu", "Ngọc", "Đức", "Hữu", "Thanh", "Xuân", "Kim", "Bảo"}
	givenNames  = []string{"An", "Bình", "Cường", "Dung", "Em", "Giang", "Hải", "Hoa", "Khánh", "Lâm", "Nam", "Phúc", "Quyên", "Sơn", "Tâm", "Uyên", "Vinh", "Yến", "Thảo", "Hùng"}
	posts       = []string{"Bí thư", "Phó Bí thư", "Ủy viên", "Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên", "Kế toán trưởng", ""}
	units       = []string{"Văn phòng", "Phòng Tổ chức", "Phòng Kế hoạch - Tài chính", "Ban Tuyên giáo", "Ủy ban Kiểm tra", ""}
	topics      = []string{"Về báo cáo chính trị", "Về công tác cán bộ", "Về dự toán ngân sách", "Về thủ tục", "Góp ý dự thảo nghị quyết", "Về chuyển đổi số"}
	itemTitles  = []string{"Khai mạc", "Báo cáo kiểm điểm", "Thảo luận", "Bầu cử", "Xếp loại đảng viên", "Lấy phiếu tín nhiệm", "Thông qua nghị quyết", "Bế mạc"}
	orgs        = []string{"Chi bộ Văn phòng", "Đảng ủy Khối các cơ quan", "Ủy ban nhân dân xã An Phú", "Ban Chấp hành Đảng bộ", "Hội đồng nhân dân phường"}
	places      = []string{"Phòng họp số 1", "Hội trường A", "Hội trường tầng 3", ""}
	siteNames   = []string{"Điểm cầu Hải Phòng", "Điểm cầu Đà Nẵng", "Điểm cầu Cần Thơ"}
)

// name returns a fictional Vietnamese name; rarely a long or odd one.
func (g *Gen) name() string {
	n := fmt.Sprintf("%s %s %s", g.pick(familyNames), g.pick(middleNames), g.pick(givenNames))
	switch x := g.rng.IntN(100); {
	case x == 0:
		return strings.Repeat("Nguyễn Thị ", 18) + "Hoa" // 201 runes: too long
	case x == 1:
		return strings.TrimSpace(strings.Repeat("Tôn Nữ ", 28)) // 195 runes
	case x == 2:
		return "  " + n + "\t" // trimmed
	}
	return n
}

func (g *Gen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// text returns a sentence or a few; rarely empty, long or with a new line.
func (g *Gen) text() string {
	switch x := g.rng.IntN(100); {
	case x == 0:
		return ""
	case x == 1:
		return strings.Repeat("Hội nghị thống nhất cao. ", 40)
	case x < 5:
		return g.pick(topics) + ".\n" + g.pick(topics) + "."
	}
	return g.pick(topics) + "."
}

// ---- the meeting ----

func (g *Gen) details() map[string]any {
	d := map[string]any{"title": "Hội nghị " + strings.ToLower(g.pick(itemTitles)), "organization": g.pick(orgs), "place": g.pick(places),
		"starts_at": T0.Add(time.Duration(g.rng.IntN(120)) * time.Minute).Format(time.RFC3339)}
	if g.chance(0.7) {
		d["chair"] = g.name() + ", " + g.pick(posts[:3])
		d["secretary"] = g.name()
	}
	if g.chance(0.3) {
		d["chair_post"], d["collective"], d["locality"] = "Bí thư", "Chi bộ", "Hà Nội"
	}
	if g.chance(0.02) {
		d["title"] = ""
	}
	return d
}

func genCreate(g *Gen) (string, any, bool) {
	if g.r.State.Created() {
		return "", nil, false
	}
	return ActorSecretary, g.details(), true
}

func genUpdate(g *Gen) (string, any, bool) { return ActorSecretary, g.details(), true }

func genOpen(g *Gen) (string, any, bool) {
	return g.staff(), struct{}{}, g.r.State.Status == meeting.StatusDraft && len(g.r.State.Participants) > 0
}

func genPause(g *Gen) (string, any, bool) {
	return g.staff(), struct{}{}, g.r.State.Status == meeting.StatusOpen
}

func genResume(g *Gen) (string, any, bool) {
	return g.staff(), struct{}{}, g.r.State.Status == meeting.StatusPaused
}

func genClose(g *Gen) (string, any, bool) {
	s := g.r.State
	if s.Status != meeting.StatusOpen && s.Status != meeting.StatusPaused {
		return "", nil, false
	}
	if len(g.polls(meeting.PollStatusOpen)) > 0 && g.chance(0.8) {
		return "", nil, false // it would be refused: close the polls first
	}
	return g.staff(), struct{}{}, true
}

func genConfigure(g *Gen) (string, any, bool) {
	c := map[string]any{}
	for len(c) == 0 {
		if g.chance(0.3) {
			n := g.rng.IntN(len(siteNames) + 1)
			c["sites"] = append([]string{}, siteNames[:n]...)
		}
		if g.chance(0.2) {
			q := []map[string]any{{"num": 2, "den": 3, "at_least": true}, {"num": 1, "den": 2}, {"num": 1, "den": 2, "base": "summoned"},
				{"num": 3, "den": 4, "at_least": true, "base": "summoned"}, {"num": 1, "den": 3, "at_least": true}}
			c["quorum"] = q[g.rng.IntN(len(q))]
		}
		if g.chance(0.15) {
			c["late_grace_seconds"] = g.rng.IntN(1800)
		}
		if g.chance(0.15) {
			c["speaking_seconds"] = []int{0, 60, 180, 300, 600}[g.rng.IntN(5)]
		}
		if g.chance(0.2) {
			c["tie_rule"] = g.pick([]string{"revote", "elder"})
		}
		if g.chance(0.15) {
			c["excellent_cap"] = map[string]any{"enabled": g.chance(0.7), "percent": []int{0, 10, 20, 50, 100}[g.rng.IntN(5)]}
		}
		if g.chance(0.15) {
			c["empty_election_ballot_invalid"] = g.chance(0.5)
		}
		if g.chance(0.1) {
			c["surplus_cap"] = []int{10, 15, 20, 30}[g.rng.IntN(4)]
		}
		if g.chance(0.1) {
			c["time_zone"] = g.pick([]string{"Asia/Ho_Chi_Minh", "Asia/Bangkok", "Europe/Paris"})
		}
		if g.chance(0.15) {
			c["layout"] = g.pick([]string{"party", "state"})
		}
		if g.chance(0.15) {
			c["paper_entries"] = []int{2, 2, 3, 4}[g.rng.IntN(4)]
		}
	}
	return ActorSecretary, c, true
}

// ---- agenda ----

func genAgendaAdd(g *Gen) (string, any, bool) {
	d := map[string]any{"title": g.pick(itemTitles)}
	if g.chance(0.4) {
		d["presenter"] = g.name()
	}
	if n := len(g.r.State.Agenda); n > 0 && g.chance(0.3) {
		d["position"] = 1 + g.rng.IntN(n+1)
	}
	return g.staff(), d, true
}

func genAgendaRename(g *Gen) (string, any, bool) {
	it := g.item(0)
	return g.staff(), map[string]any{"id": it, "title": g.pick(itemTitles) + " (sửa)", "presenter": g.name()}, it != ""
}

func genAgendaMove(g *Gen) (string, any, bool) {
	it := g.item(0)
	return g.staff(), map[string]any{"id": it, "position": 1 + g.rng.IntN(max(1, len(g.r.State.Agenda)))}, it != ""
}

func genAgendaRemove(g *Gen) (string, any, bool) {
	it := g.item(0)
	return g.staff(), map[string]any{"id": it}, it != ""
}

func genAgendaDone(g *Gen) (string, any, bool) {
	it := g.item(0)
	return g.staff(), map[string]any{"id": it, "done": g.chance(0.8)}, it != "" && g.r.State.Status != meeting.StatusDraft
}

func genAgendaCurrent(g *Gen) (string, any, bool) {
	s := g.r.State
	return g.staff(), map[string]any{"id": g.item(0.1)}, s.Status == meeting.StatusOpen || s.Status == meeting.StatusPaused
}

func genAgendaAdvance(g *Gen) (string, any, bool) {
	return g.staff(), struct{}{}, g.r.State.Status == meeting.StatusOpen && len(g.r.State.Agenda) > 0
}

// ---- participants ----

// person returns a new participant's fields.
func (g *Gen) person() map[string]any {
	p := map[string]any{"name": g.name()}
	if x := g.pick(posts); x != "" {
		p["position"] = x
	}
	if x := g.pick(units); x != "" {
		p["unit"] = x
	}
	switch x := g.rng.IntN(100); {
	case x < 6:
		p["role"] = "chair"
	case x < 9:
		p["role"] = "secretary"
	case x < 16:
		p["role"] = "observer"
	case x < 19:
		p["role"] = "hall"
	case x < 20:
		p["role"] = "speaker" // not a role: the row is refused
	case x < 24:
		p["role"] = "technician" // keys paper ballots once named
	default:
		if g.chance(0.5) {
			p["role"] = "delegate"
		}
		if g.chance(0.12) {
			p["non_voting"] = true
		}
	}
	return p
}

// maxPeople bounds the participants of a generated meeting: enough for
// every role and every category of the roll, few enough to run thousands
// of meetings in seconds.
const maxPeople = 14

func genParticipantAdd(g *Gen) (string, any, bool) {
	return ActorSecretary, g.person(), len(g.r.State.Participants) < maxPeople
}

func genParticipantImport(g *Gen) (string, any, bool) {
	var rows []map[string]any
	for n := 1 + g.rng.IntN(6); n > 0; n-- {
		rows = append(rows, g.person())
	}
	return ActorSecretary, map[string]any{"rows": rows}, len(g.r.State.Participants) < maxPeople
}

func genParticipantUpdate(g *Gen) (string, any, bool) {
	p, ok := one(g, g.r.State.Participants)
	if !ok {
		return "", nil, false
	}
	d := g.person()
	if g.chance(0.6) { // mostly a correction: the same role
		d["role"], d["non_voting"] = string(p.Role), p.NonVoting
	}
	d["id"] = g.Ref(p.ID)
	return ActorSecretary, d, true
}

func genParticipantRemove(g *Gen) (string, any, bool) {
	p, ok := one(g, g.r.State.Participants)
	return ActorSecretary, map[string]any{"id": g.Ref(p.ID)}, ok && g.chance(0.5)
}

func genParticipantPaired(g *Gen) (string, any, bool) {
	p, ok := one(g, g.r.State.Participants)
	return ActorSystem, map[string]any{"id": g.Ref(p.ID)}, ok
}

func genNotice(g *Gen) (string, any, bool) {
	d := map[string]any{"text": g.text()}
	if p, ok := one(g, g.r.State.Participants); ok && g.chance(0.4) {
		d["to"] = g.Ref(p.ID)
	}
	return g.staff(), d, true
}

// ---- attendance ----

func genCheckIn(g *Gen) (string, any, bool) {
	s := g.r.State
	// Mostly members not yet here; sometimes someone else (observers and
	// the hall screen may not check in).
	p, ok := one(g, g.people(func(p meeting.Participant) bool {
		return (!g.here(p) && p.Role != meeting.RoleObserver && p.Role != meeting.RoleHall) || g.chance(0.05)
	}))
	if !ok || (s.Status != meeting.StatusOpen && s.Status != meeting.StatusPaused) {
		return "", nil, false
	}
	d := map[string]any{}
	if site, ok := one(g, s.Settings.Sites); ok && g.chance(0.3) {
		d["status"], d["site"] = "remote", site
	}
	return g.Ref(p.ID), d, true
}

func genMark(g *Gen) (string, any, bool) {
	s := g.r.State
	p, ok := one(g, g.people(func(p meeting.Participant) bool { return !p.Role.Device() || g.chance(0.05) }))
	if !ok {
		return "", nil, false
	}
	d := map[string]any{"participant": g.Ref(p.ID)}
	switch x := g.rng.IntN(100); {
	case x < 55:
		d["status"] = "present"
		if g.chance(0.2) {
			d["late"] = g.chance(0.5)
		}
	case x < 65:
		if site, ok := one(g, s.Settings.Sites); ok {
			d["status"], d["site"] = "remote", site
		} else {
			d["status"] = "present"
		}
	case x < 80:
		d["status"] = "absent"
		if g.chance(0.5) {
			d["reason"] = "Không báo"
		}
	default:
		d["status"], d["reason"] = "excused", g.pick([]string{"Đi công tác", "Ốm", "Nghỉ phép"})
	}
	return g.staff(), d, true
}

func genCheckOut(g *Gen) (string, any, bool) {
	p, ok := one(g, g.people(g.here))
	if !ok {
		return "", nil, false
	}
	if g.chance(0.5) {
		return g.Ref(p.ID), struct{}{}, true
	}
	return g.staff(), map[string]any{"participant": g.Ref(p.ID)}, true
}

func genMarkAll(g *Gen) (string, any, bool) {
	return g.staff(), struct{}{}, g.chance(0.5)
}

// ---- speakers ----

func genSpeakerRequest(g *Gen) (string, any, bool) {
	p, ok := one(g, g.people(func(p meeting.Participant) bool { return p.Role != meeting.RoleHall }))
	if !ok || g.r.State.Current == "" {
		return "", nil, false
	}
	d := map[string]any{"topic": g.pick(topics)}
	if g.chance(0.25) {
		d["kind"] = g.pick([]string{"point_of_order", "reply", "normal"})
	}
	return g.Ref(p.ID), d, true
}

func genSpeakerWithdraw(g *Gen) (string, any, bool) {
	rq, ok := one(g, g.r.State.Requests)
	if !ok {
		return "", nil, false
	}
	actor := g.staff()
	if g.chance(0.5) {
		actor = g.Ref(rq.Participant)
	}
	return actor, map[string]any{"id": g.Ref(rq.ID)}, true
}

func genSpeakerReorder(g *Gen) (string, any, bool) {
	rq, ok := one(g, g.r.State.Requests)
	if !ok {
		return "", nil, false
	}
	return g.staff(), map[string]any{"id": g.Ref(rq.ID), "position": 1 + g.rng.IntN(len(g.r.State.Queue(rq.Item)))}, true
}

func genSpeakerAdd(g *Gen) (string, any, bool) {
	if s := g.r.State.Status; s == meeting.StatusDraft && g.chance(0.9) {
		return "", nil, false
	}
	p, ok := one(g, g.people(func(p meeting.Participant) bool { return p.Role != meeting.RoleHall || g.chance(0.05) }))
	if !ok {
		return "", nil, false
	}
	d := map[string]any{"participant": g.Ref(p.ID), "topic": g.pick(topics)}
	if it := g.item(0.6); it != "" {
		d["item"] = it
	}
	if g.chance(0.3) {
		d["kind"] = g.pick([]string{"point_of_order", "reply", "normal"})
	}
	if g.chance(0.2) {
		d["position"] = 1 + g.rng.IntN(3)
	}
	return g.staff(), d, true
}

func genGiveFloor(g *Gen) (string, any, bool) {
	if g.r.State.Status != meeting.StatusOpen {
		return "", nil, false
	}
	if rq, ok := one(g, g.r.State.Requests); ok && g.chance(0.4) {
		return g.staff(), map[string]any{"id": g.Ref(rq.ID)}, true
	}
	return g.staff(), struct{}{}, g.r.State.Current != ""
}

func genSpeechEnd(g *Gen) (string, any, bool) {
	cur, ok := g.r.State.Speaking()
	if !ok {
		return "", nil, false
	}
	if g.chance(0.3) {
		return g.Ref(cur.Participant), struct{}{}, true
	}
	return g.staff(), struct{}{}, true
}

func genCloseList(g *Gen) (string, any, bool) {
	return g.staff(), map[string]any{"item": g.item(0.5)}, len(g.r.State.Agenda) > 0
}

func genReopenList(g *Gen) (string, any, bool) {
	for _, it := range g.r.State.Agenda {
		if it.SpeakersClosed {
			return g.staff(), map[string]any{"item": g.Ref(it.ID)}, true
		}
	}
	return "", nil, false
}

func genTimer(g *Gen) (string, any, bool) {
	if _, ok := g.r.State.Speaking(); !ok {
		return "", nil, false
	}
	d := map[string]any{"action": g.pick([]string{"pause", "resume", "add"})}
	if d["action"] == "add" {
		d["seconds"] = []int{30, 60, 120}[g.rng.IntN(3)]
	}
	return g.staff(), d, true
}

func genSetLimit(g *Gen) (string, any, bool) {
	d := map[string]any{"seconds": []int{0, 60, 120, 300}[g.rng.IntN(4)]}
	if _, ok := g.r.State.Speaking(); ok && g.chance(0.5) {
		d["current"] = true
	} else if it := g.item(0.3); it != "" {
		d["item"] = it
	}
	return g.staff(), d, len(g.r.State.Agenda) > 0
}

// ---- polls ----

var thresholds = []map[string]any{{"num": 1, "den": 2}, {"num": 2, "den": 3, "at_least": true}, {"num": 1, "den": 2, "at_least": true}, {"num": 3, "den": 4}}

// candidates returns n names for a ballot: participants who may stand,
// and others by name, with birth dates (some equal, for the elder rule).
func (g *Gen) candidates(n int, standing bool) []map[string]any {
	pool := g.people(func(p meeting.Participant) bool { return p.Entitled() || (!standing && p.Role != meeting.RoleHall) })
	g.rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	var out []map[string]any
	for i := 0; i < n; i++ {
		c := map[string]any{}
		if i < len(pool) && g.chance(0.6) {
			c["participant"] = g.Ref(pool[i].ID)
		} else {
			c["name"] = g.name()
		}
		if g.chance(0.6) {
			c["born"] = fmt.Sprintf("19%d-0%d-1%d", 60+g.rng.IntN(4), 1+g.rng.IntN(2), g.rng.IntN(2))
		}
		out = append(out, c)
	}
	return out
}

// pollSpec returns the definition of a new poll of a random kind and form.
func (g *Gen) pollSpec() map[string]any {
	s := g.r.State
	d := map[string]any{}
	if g.chance(0.5) {
		if it := g.item(0); it != "" {
			d["item"] = it
		}
	}
	if g.chance(0.5) {
		d["threshold"] = thresholds[g.rng.IntN(len(thresholds))]
	}
	bases := []string{"summoned", "present", "valid", "cast"}
	if g.chance(0.6) {
		d["base"] = g.pick(bases)
	}
	switch x := g.rng.IntN(100); {
	case x < 20:
		d["kind"], d["question"] = "open", "Thông qua "+strings.ToLower(g.pick(itemTitles))
		for _, b := range s.Bodies {
			if !b.Approved() && g.chance(0.6) {
				d["body"], d["question"] = string(b.Kind), "Thông qua danh sách "+string(b.Kind)
				break
			}
		}
	case x < 35:
		d["kind"], d["question"] = "secret", "Biểu quyết kín về "+strings.ToLower(g.pick(topics))
	case x < 70:
		d["kind"], d["question"] = "election", "Bầu "+g.pick([]string{"Ban Chấp hành", "Bí thư", "Ủy ban Kiểm tra", "đại biểu dự Đại hội"})
		seats := 1 + g.rng.IntN(4)
		var n int
		switch y := g.rng.IntN(10); {
		case y < 5: // with surplus, within the cap
			n = seats + 1 + g.rng.IntN(meeting.MaxSurplus(seats, s.Settings.Polls.Surplus()))
		case y < 7: // without surplus
			seats = max(2, seats)
			n = seats
		case y < 8: // one name
			seats, n = 1, 1
		case y < 9: // uncapped
			n = seats + 1 + g.rng.IntN(4)
			d["uncapped"] = true
		default: // over the cap: refused
			n = seats + 2 + meeting.MaxSurplus(seats, s.Settings.Polls.Surplus())
		}
		d["seats"], d["candidates"] = seats, g.candidates(n, true)
	default:
		d["kind"] = "rating"
		if g.chance(0.5) {
			d["scale"], d["question"] = "review", "Xếp loại chất lượng"
		} else {
			d["scale"], d["question"] = "confidence", "Lấy phiếu tín nhiệm"
		}
		d["subjects"] = g.candidates(1+g.rng.IntN(4), false)
	}
	// Paper ballots (gen_paper.go): secret kinds; rarely an open vote (refused).
	if (d["kind"] != "open" || g.chance(0.05)) && g.chance(0.1) {
		d["paper"] = true
	}
	return d
}

func genPollCreate(g *Gen) (string, any, bool) {
	if d, ok := g.paperPollSpec(); ok { // the counting committee's approval, a paper poll
		return g.staff(), d, len(g.r.State.Polls) < 12
	}
	return g.staff(), g.pollSpec(), len(g.r.State.Polls) < 12
}

func genPollUpdate(g *Gen) (string, any, bool) {
	p, ok := one(g, g.polls(meeting.PollStatusDraft))
	if !ok {
		return "", nil, false
	}
	d := g.pollSpec()
	d["id"] = g.Ref(p.ID)
	return g.staff(), d, true
}

func genPollOpen(g *Gen) (string, any, bool) {
	p, ok := one(g, g.polls(meeting.PollStatusDraft))
	if !ok || g.r.State.Status != meeting.StatusOpen {
		return "", nil, false
	}
	d := map[string]any{"id": g.Ref(p.ID)}
	if !meeting.QuorumOf(g.r.State).Met && g.chance(0.7) {
		d["override_quorum"] = true
	}
	return g.staff(), d, true
}

func genPollClose(g *Gen) (string, any, bool) {
	p, ok := one(g, g.polls(meeting.PollStatusOpen))
	// Mostly once most have voted; a paper poll once its counting is done.
	ready := 4*p.Voted >= 3*len(p.Eligible) || g.chance(0.15) || g.made*5 >= g.plan*4
	if p.Paper {
		ready = meeting.Reconcile(p).Ready() == nil || g.chance(0.05)
	}
	return g.staff(), map[string]any{"id": g.Ref(p.ID)}, ok && ready
}

func genPollPublish(g *Gen) (string, any, bool) {
	p, ok := one(g, g.polls(meeting.PollStatusClosed))
	return g.staff(), map[string]any{"id": g.Ref(p.ID)}, ok
}

func genPollCancel(g *Gen) (string, any, bool) {
	p, ok := one(g, g.polls(meeting.PollStatusDraft, meeting.PollStatusOpen, meeting.PollStatusClosed))
	return g.staff(), map[string]any{"id": g.Ref(p.ID), "reason": g.pick([]string{"Sai danh sách", "Thiếu số lượng", "Hỏng thiết bị"})}, ok && g.chance(0.5)
}

func genPollRevote(g *Gen) (string, any, bool) {
	p, ok := one(g, g.polls(meeting.PollStatusClosed, meeting.PollStatusPublished, meeting.PollStatusCancelled))
	if !ok {
		return "", nil, false
	}
	d := map[string]any{"id": g.Ref(p.ID)}
	if g.chance(0.3) {
		d["question"] = p.Question + " (lần 2)"
	}
	names := p.Names()
	tie := p.Result != nil && p.Result.Outcome == meeting.OutcomeTie
	if len(names) > 0 && !(tie && g.chance(0.7)) && g.chance(0.6) {
		keep := slices.Clone(names)
		g.rng.Shuffle(len(keep), func(i, j int) { keep[i], keep[j] = keep[j], keep[i] })
		var ids []string
		for _, c := range keep[:1+g.rng.IntN(len(keep))] {
			ids = append(ids, c.ID)
		}
		d["keep"] = ids
		if p.Kind == meeting.PollElection && g.chance(0.5) {
			d["seats"] = 1 + g.rng.IntN(len(ids))
		}
	}
	return g.staff(), d, true
}

// ballot returns a ballot for poll p: mostly well formed and valid, some
// spoiled or invalid by the rules, a few malformed (fields of another
// kind), which the box refuses.
func (g *Gen) ballot(p meeting.Poll) map[string]any {
	if g.chance(0.06) {
		return map[string]any{"spoiled": true}
	}
	if g.chance(0.03) { // malformed: the fields of another form
		switch p.Kind {
		case meeting.PollOpen, meeting.PollSecret:
			return map[string]any{"kept": []string{"c1"}}
		default:
			return map[string]any{"choice": "agree"}
		}
	}
	ids := func(names []meeting.Candidate) []string {
		var out []string
		for _, c := range names {
			out = append(out, c.ID)
		}
		return out
	}
	switch p.Kind {
	case meeting.PollOpen, meeting.PollSecret:
		agree := 60
		if p.Body != "" {
			agree = 90 // a list of a body is mostly approved
		}
		switch x := g.rng.IntN(100); {
		case x < 2:
			return map[string]any{}
		case x < 4:
			return map[string]any{"choice": "maybe"}
		case x < agree:
			return map[string]any{"choice": "agree"}
		case x < max(85, agree+5):
			return map[string]any{"choice": "disagree"}
		}
		return map[string]any{"choice": "abstain"}
	case meeting.PollElection:
		all := ids(p.Candidates)
		if p.Form() == meeting.FormStrike {
			kept := slices.Clone(all)
			g.rng.Shuffle(len(kept), func(i, j int) { kept[i], kept[j] = kept[j], kept[i] })
			n := g.rng.IntN(p.Seats + 1)
			switch x := g.rng.IntN(100); {
			case x < 4:
				n = min(len(kept), p.Seats+1) // too many
			case x < 6:
				n = len(kept) // untouched
			}
			kept = kept[:n]
			switch x := g.rng.IntN(100); {
			case x < 2:
				kept = append(kept, "c99")
			case x < 4 && len(kept) > 0:
				kept = append(kept, kept[0])
			}
			return map[string]any{"kept": kept}
		}
		var agree, disagree []string
		for _, id := range all {
			switch x := g.rng.IntN(100); {
			case x < 60:
				agree = append(agree, id)
			case x < 85:
				disagree = append(disagree, id)
			case x < 92:
				agree, disagree = append(agree, id), append(disagree, id)
			}
		}
		if g.chance(0.02) {
			agree = append(agree, "c99")
		}
		return map[string]any{"agree": agree, "disagree": disagree}
	}
	levels := p.Scale.Levels()
	ratings := map[string]string{}
	for _, c := range p.Subjects {
		switch x := g.rng.IntN(100); {
		case x < 4: // no level for this one
		case x < 6:
			ratings[c.ID] = "perfect"
		default:
			ratings[c.ID] = string(levels[min(g.rng.IntN(len(levels)), g.rng.IntN(len(levels)))])
		}
	}
	if g.chance(0.02) {
		ratings["c99"] = string(levels[0])
	}
	return map[string]any{"ratings": ratings}
}

func genRecordVotes(g *Gen) (string, any, bool) {
	p, ok := one(g, g.polls(meeting.PollStatusOpen))
	if !ok || (p.Paper && g.chance(0.9)) { // a paper poll refuses tablet ballots
		return "", nil, false
	}
	var waiting []string
	for _, id := range p.Eligible {
		if !p.HasVoted(id) {
			waiting = append(waiting, id)
		}
	}
	g.rng.Shuffle(len(waiting), func(i, j int) { waiting[i], waiting[j] = waiting[j], waiting[i] })
	voters := waiting[:min(len(waiting), 1+g.rng.IntN(6))]
	if g.chance(0.05) && len(p.Voters) > 0 { // again
		voters = append(voters, p.Voters[g.rng.IntN(len(p.Voters))].Participant)
	}
	if g.chance(0.03) { // not eligible
		if q, ok := one(g, g.people(func(q meeting.Participant) bool { return !p.IsEligible(q.ID) })); ok {
			voters = append(voters, q.ID)
		}
	}
	if g.chance(0.02) && len(voters) > 0 { // twice in one batch
		voters = append(voters, voters[0])
	}
	if len(voters) == 0 {
		return "", nil, false
	}
	var votes []map[string]any
	for _, v := range voters {
		votes = append(votes, map[string]any{"participant": g.Ref(v), "ballot": g.ballot(p)})
	}
	return ActorSystem, map[string]any{"poll": g.Ref(p.ID), "votes": votes}, true
}

func genBodyPropose(g *Gen) (string, any, bool) {
	if d, ok := g.paperBody(); ok { // a counting committee for paper counting
		return g.staff(), d, true
	}
	pool := g.people(func(p meeting.Participant) bool { return p.Entitled() || g.chance(0.05) })
	if len(pool) == 0 {
		return "", nil, false
	}
	g.rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	var members []map[string]any
	for i, p := range pool[:1+g.rng.IntN(min(4, len(pool)))] {
		m := map[string]any{"participant": g.Ref(p.ID)}
		if i == 0 && g.chance(0.5) {
			m["post"] = "Trưởng ban"
		}
		members = append(members, m)
	}
	return g.staff(), map[string]any{"kind": g.pick([]string{"presidium", "secretariat", "counting"}), "members": members}, true
}

// ---- documents ----

var contentTypes = func() []string {
	var out []string
	for t := range meeting.DocumentTypes {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}()

func (g *Gen) file() map[string]any {
	sum := make([]byte, 32)
	for i := range sum {
		sum[i] = byte(g.rng.IntN(256))
	}
	ct := g.pick(contentTypes)
	return map[string]any{"sha256": hex.EncodeToString(sum), "size": 1 + g.rng.IntN(5<<20), "content_type": ct,
		"name": g.pick(topics) + meeting.DocumentTypes[ct]}
}

func (g *Gen) documentSpec() map[string]any {
	d := map[string]any{"title": "Tài liệu " + strings.ToLower(g.pick(topics))}
	if it := g.item(0.5); it != "" {
		d["item"] = it
	}
	switch x := g.rng.IntN(10); {
	case x < 3:
		d["access"] = "public"
	case x < 7:
		d["access"] = "delegates"
	default:
		d["access"] = "named"
		var readers []string
		for _, p := range g.people(func(p meeting.Participant) bool { return p.Role != meeting.RoleHall && g.chance(0.4) }) {
			readers = append(readers, g.Ref(p.ID))
		}
		d["readers"] = readers
	}
	return d
}

func genDocumentAdd(g *Gen) (string, any, bool) {
	d := g.documentSpec()
	d["file"], d["publish"] = g.file(), g.chance(0.6)
	return ActorUploader, d, len(g.r.State.Documents) < 8
}

func genDocumentVersion(g *Gen) (string, any, bool) {
	doc, ok := one(g, g.r.State.Documents)
	return ActorUploader, map[string]any{"id": g.Ref(doc.ID), "file": g.file(), "note": "Sửa số liệu"}, ok
}

func genDocumentUpdate(g *Gen) (string, any, bool) {
	doc, ok := one(g, g.r.State.Documents)
	d := g.documentSpec()
	d["id"] = g.Ref(doc.ID)
	return g.staff(), d, ok
}

func genDocumentPublish(g *Gen) (string, any, bool) {
	doc, ok := one(g, g.r.State.Documents)
	return g.staff(), map[string]any{"id": g.Ref(doc.ID)}, ok
}

func genDocumentWithdraw(g *Gen) (string, any, bool) {
	doc, ok := one(g, g.r.State.Documents)
	return g.staff(), map[string]any{"id": g.Ref(doc.ID)}, ok && g.chance(0.5)
}

func genDownloads(g *Gen) (string, any, bool) {
	var dls []map[string]any
	for n := 1 + g.rng.IntN(3); n > 0; n-- {
		doc, ok := one(g, g.r.State.Documents)
		if !ok {
			return "", nil, false
		}
		dl := map[string]any{"document": g.Ref(doc.ID), "version": 1 + g.rng.IntN(len(doc.Versions)), "by": "account:thuky"}
		if p, ok := one(g, g.r.State.Participants); ok && g.chance(0.7) {
			dl["by"], dl["participant"], dl["watermarked"] = "participant:"+g.Ref(p.ID), g.Ref(p.ID), doc.Confidential()
		}
		dls = append(dls, dl)
	}
	return ActorSystem, map[string]any{"downloads": dls}, true
}

func genPresent(g *Gen) (string, any, bool) {
	if g.r.State.Presentation != nil && g.chance(0.3) {
		return g.staff(), map[string]any{"document_id": ""}, true
	}
	var published []meeting.Document
	for _, d := range g.r.State.Documents {
		if d.Status == meeting.DocumentPublished {
			published = append(published, d)
		}
	}
	doc, ok := one(g, published)
	d := map[string]any{"document_id": g.Ref(doc.ID), "page": 1 + g.rng.IntN(20)}
	if ok && g.chance(0.4) {
		d["version"] = 1 + g.rng.IntN(len(doc.Versions))
	}
	return g.staff(), d, ok
}

// ---- the minutes ----

func genConclude(g *Gen) (string, any, bool) {
	d := map[string]any{"text": "Hội nghị kết luận: " + g.text()}
	if it := g.item(0.3); it != "" {
		d["item_id"] = it
	}
	return g.staff(), d, !g.r.State.Minutes.Final()
}

func genFinalize(g *Gen) (string, any, bool) {
	s := g.r.State
	d := map[string]any{"number": fmt.Sprintf("%02d-BB/CB", 1+g.rng.IntN(30))}
	if g.chance(0.3) {
		d["layout"] = g.pick([]string{"party", "state"})
	}
	if g.chance(0.3) {
		d["place_date"] = "Hà Nội, ngày 7 tháng 12 năm 2026"
	}
	if g.chance(0.3) {
		d["superior"] = "Đảng bộ Khối"
	}
	return g.staff(), d, s.Status == meeting.StatusClosed && !s.Minutes.Final()
}

func genCorrect(g *Gen) (string, any, bool) {
	return g.staff(), map[string]any{"text": "Đính chính: " + g.text(), "reason": "Ghi nhầm"}, g.r.State.Minutes.Final()
}

// ---- support ----

func genSupportRequest(g *Gen) (string, any, bool) {
	p, ok := one(g, g.r.State.Participants)
	return g.Ref(p.ID), map[string]any{"message": g.pick([]string{"Micro không hoạt động", "Máy tính bảng không sáng", ""})}, ok
}

func genSupportResolve(g *Gen) (string, any, bool) {
	for _, rq := range g.r.State.Support {
		if !rq.Resolved && g.chance(0.7) {
			return g.staff(), map[string]any{"id": g.Ref(rq.ID)}, true
		}
	}
	return "", nil, false
}
