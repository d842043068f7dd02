package minutes

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/meeting/meetingtest"
)

// The property test of the record: random meetings (package meetingtest's
// generator, with the domain's invariants after every step) whose minutes
// and counting records are built at every milestone — the opening, a
// poll's opening, close, publication or cancellation, the close, the
// finalisation, a correction — and at the end, and checked against the
// state: every count and base of the roll equals its parts as
// meeting.RollOf counts them (the roll at each poll's opening for the
// poll's bases and its counting record), every poll put to the vote is
// there once with its recorded count, and the percentages printed follow
// docs/rules.md §4 in both layouts (each share rounded half up; the state
// layout adjusts the shares of counts that make up their base to 100%).
var (
	propSeed     = flag.Uint64("prop.seed", 0, "first seed of the random meetings of TestMinutesProperties (0: from the clock)")
	propMeetings = flag.Int("prop.meetings", 0, "how many random meetings TestMinutesProperties runs (0: 1,000, or 200 with -short)")
)

// milestones are the commands after which the record is rebuilt and
// checked, and how: the minutes' roll and polls (1), with the counting
// records (2), with the tables printed in both layouts and languages (3).
// "" is the end of a run.
var milestones = map[string]int{"meeting.open": 1, "poll.open": 1, "poll.cancel": 1, "poll.close": 2, "poll.publish": 2,
	"meeting.close": 3, "minutes.finalize": 3, "minutes.correct": 3, "": 3}

func recordOptions() meetingtest.Options {
	return meetingtest.Options{ViewEvery: 16, Check: func(r *meetingtest.Run, name string) error {
		if depth := milestones[name]; depth > 0 {
			return checkRecord(r, depth)
		}
		return nil
	}}
}

func TestMinutesProperties(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	if *propMeetings > 0 {
		n = *propMeetings
	}
	meetingtest.Property{Name: "TestMinutesProperties", Package: "./server/minutes", Seed: *propSeed, Meetings: n,
		Steps: func(seed uint64) int { return 10 + rand.New(rand.NewPCG(seed, 2)).IntN(90) }, Options: recordOptions,
		Dir: filepath.Join("testdata", "prop")}.Run(t)
}

// TestMinutesRegressions runs every script kept in testdata/prop: each
// once broke an invariant of the record.
func TestMinutesRegressions(t *testing.T) {
	meetingtest.Regressions(t, filepath.Join("testdata", "prop"), recordOptions)
}

// checkRecord builds the minutes (and with depth 2 the counting records)
// of the run's log and checks them against its state (depth 3: and the
// tables printed).
func checkRecord(r *meetingtest.Run, depth int) error {
	m, err := Build(r.Log)
	if err != nil {
		return fmt.Errorf("Build: %v", err)
	}
	s := r.State
	rec := m.Record()
	if err := checkAttendance(r, rec.Attendance); err != nil {
		return err
	}
	// Every poll put to the vote, once, with its count as recorded.
	printed := map[string]Poll{}
	for _, x := range allPolls(rec) {
		if _, twice := printed[x.ID]; twice {
			return fmt.Errorf("poll %s is twice in the minutes", x.ID)
		}
		printed[x.ID] = x
	}
	for _, p := range s.Polls {
		x, ok := printed[p.ID]
		voted := !p.OpenedAt.IsZero()
		switch {
		case ok != voted:
			return fmt.Errorf("poll %s (%s, opened %v) in the minutes: %v", p.ID, p.Status, voted, ok)
		case !ok:
			continue
		case x.Eligible != len(p.Eligible) || x.Status != p.Status:
			return fmt.Errorf("poll %s: the minutes print %d eligible, %s; the state has %d, %s", p.ID, x.Eligible, x.Status, len(p.Eligible), p.Status)
		case p.Status == meeting.PollStatusCancelled && x.Result != nil:
			return fmt.Errorf("cancelled poll %s printed with a result", p.ID)
		case p.Status != meeting.PollStatusCancelled && !reflect.DeepEqual(x.Result, p.Result):
			return fmt.Errorf("poll %s: the minutes print another count than the state's", p.ID)
		}
		delete(printed, p.ID)
		if x.Result == nil {
			continue
		}
		roll, _ := r.Opened(p.ID)
		if res := x.Result; res.Entitled != roll.Members.Listed || res.Summoned != roll.Summoned() || res.Issued != roll.Members.Present {
			return fmt.Errorf("poll %s: entitled %d, summoned %d, issued %d; the roll at its opening: %+v", p.ID, res.Entitled, res.Summoned, res.Issued, roll.Members)
		}
		for _, party := range []bool{true, false} {
			for _, lang := range []string{"vi", "en"} {
				if depth < 3 {
					break
				}
				if err := checkPrinted(x, party, lang); err != nil {
					return fmt.Errorf("poll %s, Party layout %v, %s: %v", p.ID, party, lang, err)
				}
			}
		}
	}
	for id := range printed {
		return fmt.Errorf("the minutes print poll %s, which the state does not have", id)
	}
	if depth < 2 {
		return nil
	}
	return checkCountings(r, depth)
}

// checkAttendance checks the roll of the minutes against meeting.RollOf
// and the participants of the state.
func checkAttendance(r *meetingtest.Run, a Attendance) error {
	s := r.State
	roll := meeting.RollOf(s)
	type parts struct{ excused, notRecorded, absent int }
	var members, nonVoting parts
	for _, p := range s.Participants {
		rec, recorded := s.Attendance[p.ID]
		if p.Role == meeting.RoleHall || p.Role == meeting.RoleObserver || len(rec.Visits) > 0 {
			continue
		}
		c := &members
		if !p.Entitled() {
			c = &nonVoting
		}
		c.absent++
		if !recorded {
			c.notRecorded++
		}
		if rec.Status == meeting.AttendanceExcused {
			c.excused++
		}
	}
	for _, x := range []struct {
		name string
		got  Category
		roll meeting.RollCount
		p    parts
	}{{"members", a.Members, roll.Members, members}, {"members without a vote", a.NonVoting, roll.NonVoting, nonVoting}} {
		want := Category{Summoned: x.roll.Listed, Attended: x.roll.Attended, Absent: x.roll.Listed - x.roll.Attended, Excused: x.p.excused, NotRecorded: x.p.notRecorded}
		if x.got != want || want.Absent != x.p.absent {
			return fmt.Errorf("minutes, %s: %+v; the roll: %+v (%d never came)", x.name, x.got, want, x.p.absent)
		}
	}
	if len(a.Absent) != a.Members.Absent+a.NonVoting.Absent {
		return fmt.Errorf("minutes: %d absent named; %d + %d counted", len(a.Absent), a.Members.Absent, a.NonVoting.Absent)
	}
	sites := 0
	for _, sc := range a.Sites {
		sites += sc.Present
	}
	if a.InHall+sites != a.Members.Attended {
		return fmt.Errorf("minutes: %d first in the hall and %d at linked sites, of %d members who came", a.InHall, sites, a.Members.Attended)
	}
	// The quorum at the opening: the roll just after meeting.opened.
	for i, e := range r.Log {
		if e.Type != meeting.EventMeetingOpened {
			continue
		}
		at, err := meeting.Replay(r.Log[:i+1])
		if err != nil {
			return err
		}
		q := meeting.QuorumOf(at)
		got := a.Quorum
		if got.Rule != q.Rule || got.Entitled != q.Entitled || got.Excused != q.Excused || got.Base != q.Base || got.Required != q.Required ||
			got.Present != q.Present || got.Met != q.Met {
			return fmt.Errorf("minutes: the quorum at the opening %+v; the roll then: %+v", got, q)
		}
		if base := q.Entitled; (q.Rule.Base == meeting.QuorumOfSummoned && got.Base != base-q.Excused) || (q.Rule.Base != meeting.QuorumOfSummoned && got.Base != base) {
			return fmt.Errorf("minutes: quorum base %d of %d entitled, %d excused, rule %+v", got.Base, q.Entitled, q.Excused, q.Rule)
		}
		break
	}
	return nil
}

// checkCountings checks every counting record against the roll at its
// poll's opening and the recorded count.
func checkCountings(r *meetingtest.Run, depth int) error {
	cs, err := BuildCountings(r.Log)
	if err != nil {
		return fmt.Errorf("BuildCountings: %v", err)
	}
	want := 0
	for _, p := range r.State.Polls {
		if HasCounting(p) {
			want++
		}
	}
	if len(cs) != want {
		return fmt.Errorf("%d counting records for %d secret polls counted", len(cs), want)
	}
	for _, c := range cs {
		cr := c.Record()
		p, _ := r.State.Poll(cr.Poll.ID)
		roll, _ := r.Opened(p.ID)
		m := roll.Members
		if cr.Summoned != m.Listed || cr.Present != m.Present || cr.Absent != m.Listed-m.Present || cr.Excused != m.Excused || cr.Absent < cr.Excused {
			return fmt.Errorf("counting record of %s: summoned %d, present %d, absent %d, excused %d; the roll at its opening: %+v", p.ID, cr.Summoned, cr.Present, cr.Absent, cr.Excused, m)
		}
		if !reflect.DeepEqual(cr.Poll.Result, p.Result) || cr.Final != (p.Status == meeting.PollStatusPublished) {
			return fmt.Errorf("counting record of %s: another count or status than the state's", p.ID)
		}
		if cr.CountSeq < 1 || cr.CountSeq > int64(len(r.Log)) {
			return fmt.Errorf("counting record of %s: count event %d", p.ID, cr.CountSeq)
		}
		e := r.Log[cr.CountSeq-1]
		var counted meeting.PollResult
		if e.Type != meeting.EventPollCounted || e.Hash != cr.CountHash || json.Unmarshal(e.Data, &counted) != nil || counted.ID != p.ID ||
			!reflect.DeepEqual(&counted.Result, p.Result) {
			return fmt.Errorf("counting record of %s: event %d (%s) is not its count", p.ID, cr.CountSeq, e.Type)
		}
		for _, lang := range []string{"vi", "en"} {
			if depth < 3 {
				break
			}
			if err := checkPrinted(cr.Poll, layoutOf(cr.Layout), lang); err != nil {
				return fmt.Errorf("counting record of %s, %s: %v", p.ID, lang, err)
			}
		}
	}
	return nil
}

// checkPrinted prints poll x as the minutes and the counting records do
// (doc.poll), in the Party or the state layout, and checks the tables: the
// counts of the result and their shares of the base by docs/rules.md §4.
func checkPrinted(x Poll, party bool, lang string) error {
	w := wordsFor(lang)
	d := &doc{w: w, Lang: w.lang, Party: party}
	d.poll(Record{}, x, false, true)
	res := x.Result
	var tables []block
	for _, b := range d.Blocks {
		if b.Kind == blockTable {
			tables = append(tables, b)
		}
	}
	if len(tables) != 1 {
		return fmt.Errorf("%d tables for one poll", len(tables))
	}
	rows := tables[0].Rows
	num := func(s string) (int, error) {
		return strconv.Atoi(strings.NewReplacer(".", "", ",", "").Replace(s))
	}
	pct := func(s string) (meeting.Percent, error) {
		s = strings.TrimSuffix(s, "%")
		whole, frac, ok := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
		if !ok || len(frac) != 2 {
			return 0, fmt.Errorf("share %q: not two decimals", s)
		}
		a, err1 := strconv.Atoi(whole)
		b, err2 := strconv.Atoi(frac)
		if err := errors.Join(err1, err2); err != nil {
			return 0, fmt.Errorf("share %q: %v", s, err)
		}
		return meeting.Percent(100*a + b), nil
	}
	switch x.Kind {
	case meeting.PollOpen, meeting.PollSecret:
		var counts []int
		var shares []meeting.Percent
		for i, row := range rows {
			n, err := num(row[1])
			if err != nil || i >= len(res.Options) || n != res.Options[i].Votes {
				return fmt.Errorf("row %v: votes; the count has %+v (%v)", row, res.Options, err)
			}
			p, err := pct(row[2])
			if err != nil {
				return err
			}
			counts, shares = append(counts, n), append(shares, p)
		}
		return meetingtest.CheckShares(counts, res.BaseCount, shares, !party)
	case meeting.PollElection:
		for i, row := range rows {
			n, err := num(row[2])
			if err != nil || i >= len(res.Candidates) || n != res.Candidates[i].Votes || row[1] != res.Candidates[i].Name {
				return fmt.Errorf("row %v: votes; the count has %+v (%v)", row, res.Candidates, err)
			}
			p, err := pct(row[3])
			if err != nil {
				return err
			}
			if p != meetingtest.Percent(n, res.BaseCount) {
				return fmt.Errorf("candidate %s: %s of %d; %d/%d is %s", row[1], row[3], res.BaseCount, n, res.BaseCount, meetingtest.Percent(n, res.BaseCount))
			}
		}
		if len(rows) != len(res.Candidates) {
			return fmt.Errorf("%d rows for %d candidates", len(rows), len(res.Candidates))
		}
	case meeting.PollRating:
		if len(rows) != len(res.Subjects) {
			return fmt.Errorf("%d rows for %d persons rated", len(rows), len(res.Subjects))
		}
		for i, row := range rows {
			sub := res.Subjects[i]
			var counts []int
			var shares []meeting.Percent
			for k := range sub.Levels {
				cell := row[3+k] // "n (p%)"
				votes, share, ok := strings.Cut(cell, " (")
				n, err := num(votes)
				if !ok || err != nil || n != sub.Levels[k].Votes {
					return fmt.Errorf("subject %s, level %s: %q; the count has %d", sub.ID, sub.Levels[k].Level, cell, sub.Levels[k].Votes)
				}
				p, err := pct(strings.TrimSuffix(share, ")"))
				if err != nil {
					return err
				}
				counts, shares = append(counts, n), append(shares, p)
			}
			if err := meetingtest.CheckShares(counts, sub.BaseCount, shares, !party); err != nil {
				return fmt.Errorf("subject %s: %v", sub.ID, err)
			}
		}
	}
	return nil
}
