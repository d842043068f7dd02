package meeting_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/meeting/meetingtest"
)

// fuzzPolls are the open polls of the "live" fixture the ballot fuzzer
// votes in: one of every kind and shape.
var fuzzPolls = []string{"open", "secret", "election", "election-lenient", "election-nosurplus", "election-single", "review", "review-valid", "confidence"}

// maxFuzzBallots bounds the ballots one input casts.
const maxFuzzBallots = 24

// FuzzBallot casts ballots as tablets send them — a stream of JSON values
// decoded strictly, as the server decodes "ballot.cast" — in an open poll
// of each kind, and checks:
//
//   - ValidateBallot refuses a malformed ballot with an Invalid error
//     naming the field, never a panic, and accepts what it accepts for
//     good: the ballot as stored (JSON) counts exactly as the ballot sent;
//   - Tally equals a recount of the ballots by the rules of docs/rules.md
//     (§4 and §6) written independently of CheckBallot (package
//     meetingtest, shared with the property test of whole meetings):
//     valid and invalid ballots and their reasons, the votes of every
//     option, candidate and level, the base, the threshold, percentages
//     rounded half up, who is elected; whatever the ballots' order;
//   - closing the poll through Decide (the record's path) counts the same.
func FuzzBallot(f *testing.F) {
	seeds := []string{
		`{"choice":"agree"} {"choice":"disagree"} {"choice":"abstain"} {"spoiled":true} {}`,
		`{"choice":"agree"}{"choice":"agree"}{"choice":"Agree"}{"choice":"yes"}`,
		`{"kept":["c1","c2"]} {"kept":["c3"]} {"kept":[]} {"kept":["c1","c1"]} {"kept":["c1","c2","c3"]} {"kept":["c9"]}`,
		`{"kept":["c1"]} {"kept":["c2"]} {"kept":["c1","c2"]} {"kept":["c2","c1"]} {"spoiled":true,"kept":["c1"]}`,
		`{"ratings":{"c1":"excellent","c2":"good","c3":"done"}} {"ratings":{"c1":"failed"}} {"ratings":{}} {"ratings":{"c4":"good"}} {"ratings":{"c1":"high"}}`,
		`{"ratings":{"c1":"high","c2":"low"}} {"ratings":{"c1":"low","c2":"low"}} {"ratings":{"c1":"medium","c2":""}} {"ratings":{"c1":"excellent"}}`,
		`{"choice":"agree","kept":["c1"]} {"ratings":{"c1":"good"},"choice":"agree"} {"kept":["c1"],"ratings":{"c1":"good"}}`,
		`{"agree":["c1","c2"]} {"agree":["c1"],"disagree":["c2"]} {"agree":["c1"],"disagree":["c1"]} {} {"disagree":["c1","c2"]} {"agree":["c1","c1"]}`,
		`{"agree":["c1"]} {"disagree":["c1"]} {"agree":["c1"],"disagree":["c1"]} {"agree":[],"disagree":[]} {"agree":["c1"],"kept":["c1"]}`,
		`{"choice":"` + string(bytes.Repeat([]byte("a"), 65)) + `"} {"kept":["\u0000"]} {"ratings":{"c 1":"good"}} {"unknown":1}`,
	}
	for i := range fuzzPolls {
		for _, s := range seeds {
			f.Add(uint8(i), []byte(s))
		}
	}
	fx := fuzzFixtures()[2]
	if fx.name != "live" {
		f.Fatalf("fixture 2 is %s; want live", fx.name)
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		p, ok := fx.state.Poll(fx.ids["poll:"+fuzzPolls[int(which)%len(fuzzPolls)]])
		if !ok || p.Status != meeting.PollStatusOpen {
			t.Fatalf("fixture poll %d not open", which)
		}
		voter := fx.ids["d1"]
		var box []meeting.Ballot
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		for len(box) < maxFuzzBallots {
			var b meeting.Ballot
			if err := dec.Decode(&b); err != nil {
				break
			}
			if err := meeting.ValidateBallot(fx.state, p, voter, b); err != nil {
				checkDomainError(t, "ValidateBallot", err, meeting.KindInvalid)
				continue
			}
			// As the ballot box stores it.
			stored, err := json.Marshal(b)
			if err != nil {
				t.Fatalf("encode %+v: %v", b, err)
			}
			var back meeting.Ballot
			if err := json.Unmarshal(stored, &back); err != nil {
				t.Fatalf("decode stored ballot %s: %v", stored, err)
			}
			if got, want := meeting.CheckBallot(p, back), meeting.CheckBallot(p, b); !reflect.DeepEqual(got, want) {
				t.Fatalf("ballot %+v counts as %+v; stored as %s it counts as %+v", b, want, stored, got)
			}
			box = append(box, back)
		}
		r := meeting.Tally(p, box)
		checkTally(t, p, box, r)
		rev := slices.Clone(box)
		slices.Reverse(rev)
		if r2 := meeting.Tally(p, rev); !cmp.Equal(r, r2, cmpopts.EquateEmpty()) {
			t.Fatalf("the count depends on the ballots' order:\n%s", cmp.Diff(r, r2, cmpopts.EquateEmpty()))
		}
		closeThroughDecide(t, fx, p, box)
	})
}

// closeThroughDecide records as many of box as there are voters left,
// closes the poll with Decide and checks that the counted result is the
// tally of every ballot of the poll.
func closeThroughDecide(t *testing.T, fx *fuzzFixture, p meeting.Poll, box []meeting.Ballot) {
	s := fx.state.Clone()
	var voters []string
	for _, id := range p.Eligible {
		if !p.HasVoted(id) {
			voters = append(voters, id)
		}
	}
	box = box[:min(len(box), len(voters))]
	all := []meeting.Ballot{}
	for _, v := range p.Voters { // who voted in the fixture
		all = append(all, meeting.Ballot{Choice: v.Choice, Spoiled: v.Spoiled})
	}
	if len(box) > 0 {
		rec := &meeting.RecordVotes{Poll: p.ID}
		for i, b := range box {
			v := meeting.VoteRecord{Participant: voters[i]}
			if !p.Kind.Secret() {
				v.Ballot = &b
			}
			rec.Votes = append(rec.Votes, v)
		}
		apply(t, s, fuzzSystem, rec)
		all = append(all, box...)
	}
	c := &meeting.ClosePoll{ID: p.ID}
	if p.Kind.Secret() {
		c.Ballots = all
	}
	events := apply(t, s, fuzzSecretary, c)
	closed, _ := s.Poll(p.ID)
	var counted *meeting.PollResult
	for _, e := range events {
		if e.Type == meeting.EventPollCounted {
			v, err := e.Payload()
			if err != nil {
				t.Fatal(err)
			}
			counted = v.(*meeting.PollResult)
		}
	}
	if counted == nil || closed.Result == nil {
		t.Fatalf("poll.close gave no count: %v", events)
	}
	if want := meeting.Tally(closed, all); !cmp.Equal(counted.Result, want, cmpopts.EquateEmpty()) || !cmp.Equal(*closed.Result, want, cmpopts.EquateEmpty()) {
		t.Fatalf("the recorded count differs from the tally of the ballots:\n%s", cmp.Diff(want, counted.Result, cmpopts.EquateEmpty()))
	}
	checkTally(t, closed, all, counted.Result)
}

// apply decides c on s as a and folds the events; it fails the test on any
// error.
func apply(t *testing.T, s *meeting.State, a meeting.Actor, c meeting.Command) []meeting.Event {
	t.Helper()
	events, err := meeting.Decide(s, a, c, fuzzNow(s))
	if err != nil {
		t.Fatalf("%s: %v", c.Name(), err)
	}
	for _, e := range events {
		if err := meeting.Apply(s, e); err != nil {
			t.Fatalf("Apply(%s): %v", e.Type, err)
		}
	}
	return events
}

// checkTally fails the test unless r is the count of ballots in poll p,
// by the recount of package meetingtest (the rules written independently
// of meeting.Tally).
func checkTally(t *testing.T, p meeting.Poll, ballots []meeting.Ballot, r meeting.Result) {
	t.Helper()
	if err := meetingtest.CheckTally(p, ballots, r); err != nil {
		t.Fatal(err)
	}
}

// TestPercentRoundsHalfUp pins the oracle of the fuzz targets to the
// rounding docs/rules.md asks for, on hand-checked values.
func TestPercentRoundsHalfUp(t *testing.T) {
	for _, c := range []struct {
		part, whole int
		want        string
	}{{1, 3, "33.33%"}, {2, 3, "66.67%"}, {1, 8, "12.50%"}, {1, 16, "6.25%"}, {1, 160000, "0.00%"}, {1, 20000, "0.01%"}, {3, 3, "100.00%"}, {0, 0, "0.00%"}} {
		if got := meetingtest.Percent(c.part, c.whole).String(); got != c.want {
			t.Errorf("meetingtest.Percent(%d, %d) = %s; want %s", c.part, c.whole, got, c.want)
		}
		if got := meeting.PercentOf(c.part, c.whole).String(); got != c.want {
			t.Errorf("PercentOf(%d, %d) = %s; want %s", c.part, c.whole, got, c.want)
		}
	}
}
