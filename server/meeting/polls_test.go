package meeting

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ballotBox is what the server keeps: secret ballots with no voter.
type ballotBox map[string][]Ballot

// cast runs the ballot box flow of a voter: ValidateBallot, the box, then
// poll.record_votes as the system.
func (box ballotBox) cast(t *testing.T, s *State, poll, voter, key string, b Ballot) error {
	t.Helper()
	p, _ := s.Poll(poll)
	if err := ValidateBallot(s, p, voter, b); err != nil {
		return err
	}
	rec := VoteRecord{Participant: voter}
	if p.Kind.Secret() {
		box[poll] = append(box[poll], b)
	} else {
		rec.Ballot = &b
	}
	events, err := Decide(s, asSystem, &RecordVotes{Poll: poll, Votes: []VoteRecord{rec}}, nowAt(s))
	if err != nil {
		t.Fatalf("record_votes after ValidateBallot: %v", err)
	}
	for _, e := range events {
		if err := Apply(s, e); err != nil {
			t.Fatal(err)
		}
	}
	return nil
}

func ids(ps []Participant) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func TestSecretPollFlow(t *testing.T) {
	s, _ := givenLog(t, cat(quorate(), cmds(
		&CreatePoll{PollSpec{Question: "Bầu Bí thư chi bộ", Kind: PollElection, Seats: 1, Uncapped: true, Candidates: []Candidate{{Participant: "p5"}, {Participant: "p6"}}}},
		&OpenPoll{ID: "v15"},
	))...)
	box := ballotBox{}
	p, _ := s.Poll("v15")
	if !p.IsEligible("p6") || p.IsEligible("p8") {
		t.Fatalf("eligible = %v; want the entitled at the meeting", p.Eligible)
	}
	// Form errors are refused before anything is stored.
	for _, b := range []Ballot{{Choice: ChoiceAgree}, {Ratings: map[string]Level{"c1": LevelGood}}, {Kept: []string{"c 1"}}} {
		if err := box.cast(t, s, "v15", "p6", "k6", b); KindOf(err) != KindInvalid {
			t.Errorf("cast(%+v) = %v; want invalid", b, err)
		}
	}
	if err := box.cast(t, s, "v15", "p8", "k8", Ballot{Kept: []string{"c1"}}); KindOf(err) != KindForbidden {
		t.Errorf("an observer votes: %v; want forbidden", err)
	}
	if err := box.cast(t, s, "v15", "p6", "k6", Ballot{Kept: []string{"c1"}}); err != nil {
		t.Fatalf("p6 votes: %v", err)
	}
	// A retry: the box recognises the key.
	p, _ = s.Poll("v15")
	if !p.HasVoted("p6") {
		t.Error("HasVoted(p6) = false; want true")
	}
	if err := box.cast(t, s, "v15", "p6", "k6-again", Ballot{Kept: []string{"c2"}}); KindOf(err) != KindConflict {
		t.Errorf("p6 votes twice: %v; want conflict", err)
	}

	// While open: how many voted is public, who voted is not.
	if p.Voted != 1 {
		t.Errorf("voted = %d; want 1", p.Voted)
	}
	if got := ids(NotVoted(p, s)); !cmp.Equal(got, []string{"p5", "p7"}) {
		t.Errorf("NotVoted = %v; want [p5 p7]", got)
	}
	for _, tt := range []struct {
		v        Viewer
		voters   int
		personal bool
	}{{viewSecretary, 1, false}, {viewChair, 1, false}, {viewDelegate, 0, false}, {viewOther, 0, false}, {viewHall, 0, false}, {Viewer{Role: RoleDelegate}, 0, false}} {
		vp, _ := View(s, tt.v).Poll("v15")
		if len(vp.Voters) != tt.voters || vp.Voted != 1 {
			t.Errorf("View(%+v): %d voters, voted %d; want %d, 1", tt.v, len(vp.Voters), vp.Voted, tt.voters)
		}
		if got := Personal(s, tt.v); got != (tt.personal || LeanViewer(tt.v)) {
			t.Errorf("Personal(%+v) = %v; want %v", tt.v, got, tt.personal)
		}
	}

	box.cast(t, s, "v15", "p5", "k5", Ballot{Kept: []string{"c1"}})
	box.cast(t, s, "v15", "p7", "k7", Ballot{Spoiled: true})
	if _, err := Decide(s, asSecretary, &ClosePoll{ID: "v15", Ballots: box["v15"][:2]}, nowAt(s)); KindOf(err) != KindConflict {
		t.Errorf("close with a ballot missing: %v; want conflict", err)
	}
	runOn(s, &ClosePoll{ID: "v15", Ballots: box["v15"]})
	p, _ = s.Poll("v15")
	if p.Status != PollStatusClosed || p.Result == nil || p.Result.Outcome != OutcomeElected || p.Result.Candidates[0].Votes != 2 || p.Result.Invalid != 1 || !slices.Equal(p.Result.Elected, []string{"c1"}) {
		t.Fatalf("after close: %s %+v; want closed, c1 elected with 2 votes of 3 summoned, 1 blank", p.Status, p.Result)
	}
}

func TestSecretPollResultsVisibility(t *testing.T) {
	s := given(t, cat(secretOpen(), cmds(votes("v15", roll), &ClosePoll{ID: "v15", Ballots: []Ballot{{Choice: ChoiceAgree}, {Choice: ChoiceAgree}, {Choice: ChoiceDisagree}}}))...)
	want := voteResult(PollSecret, 2, 1, 0)
	for _, v := range allViewers {
		p, _ := View(s, v).Poll("v15")
		if v.Role.Staff() != (p.Result != nil) {
			t.Errorf("closed, not published: View(%+v) result %v; want only staff", v, p.Result != nil)
		}
	}
	runOn(s, &PublishPoll{ID: "v15"})
	for _, v := range allViewers {
		p, _ := View(s, v).Poll("v15")
		if p.Result == nil || !cmp.Equal(*p.Result, want) || p.Status != PollStatusPublished {
			t.Errorf("published: View(%+v) = %s %+v; want %+v", v, p.Status, p.Result, want)
		}
	}
}

func TestSecretChoicesNeverInTheLog(t *testing.T) {
	_, log := givenLog(t, cat(secretOpen(), cmds(votes("v15", roll), &ClosePoll{ID: "v15", Ballots: []Ballot{{Choice: ChoiceAgree}, {Choice: ChoiceAgree}, {Choice: ChoiceDisagree}}}))...)
	n := 0
	for _, e := range log {
		if e.Type == EventPollVoted {
			n++
			if strings.Contains(string(e.Data), "agree") || strings.Contains(string(e.Data), "choice") {
				t.Errorf("a secret poll.voted carries a choice: %s", e.Data)
			}
			if e.Audience.Everyone() {
				t.Errorf("a secret poll.voted goes to everyone")
			}
		}
	}
	if n != 1 {
		t.Errorf("%d poll.voted events; want 1 (one per batch)", n)
	}
	// Ballots cannot come from the wire.
	for _, data := range []string{`{"id":"v15","Ballots":[{"choice":"agree"}]}`, `{"id":"v15","ballots":[{"choice":"agree"}]}`} {
		if c, err := ParseCommand("poll.close", json.RawMessage(data)); err == nil {
			t.Errorf("ParseCommand(poll.close, %s) = %+v; want an error (ballots come from the box only)", data, c)
		}
	}
}

func TestOpenPollByName(t *testing.T) {
	s := given(t, cat(openVoteOpen(), cmds(votes("v15", []string{"p7", "p5"}, Ballot{Choice: ChoiceDisagree}, Ballot{Choice: ChoiceAgree})))...)
	for _, v := range allViewers {
		p, _ := View(s, v).Poll("v15")
		if LeanViewer(v) {
			// A delegate's tablet (the lean view) lists its own vote only;
			// the hall and the secretariat list every name.
			var want []Voter
			for _, x := range s.Polls[0].Voters {
				if x.Participant == v.Participant {
					want = append(want, x)
				}
			}
			if !cmp.Equal(p.Voters, want) || p.Voted != 2 {
				t.Errorf("View(%+v): voters %+v, voted %d; want %+v, 2", v, p.Voters, p.Voted, want)
			}
			continue
		}
		if len(p.Voters) != 2 || p.Voters[0].Choice != ChoiceDisagree || p.Voted != 2 {
			t.Errorf("View(%+v): voters %+v; want both, with their choices (by name)", v, p.Voters)
		}
		if Personal(s, v) {
			t.Errorf("Personal(%+v) with an open vote only; want false", v)
		}
	}
	p, _ := s.Poll("v15")
	if got := ids(NotVoted(p, s)); !cmp.Equal(got, []string{"p6"}) {
		t.Errorf("NotVoted = %v; want [p6]", got)
	}
	runOn(s, &ClosePoll{ID: "v15"})
	p, _ = s.Poll("v15")
	if want := voteResult(PollOpen, 1, 1, 0); p.Result == nil || !cmp.Equal(*p.Result, want) {
		t.Errorf("result %+v; want %+v", p.Result, want)
	}
	if got := ids(NotVoted(Poll{Eligible: []string{"p99"}}, s)); !cmp.Equal(got, []string{"p99"}) {
		t.Errorf("NotVoted of a removed participant = %v; want its ID", got)
	}
}

func TestValidateBallot(t *testing.T) {
	election := cat(quorate(), cmds(&CreatePoll{PollSpec{Question: "Bầu", Kind: PollElection, Seats: 1, Uncapped: true, Candidates: []Candidate{{Name: "A"}, {Name: "B"}}}}, &OpenPoll{ID: "v15"}))
	rating := cat(quorate(), cmds(&CreatePoll{PollSpec{Question: "Xếp loại", Kind: PollRating, Scale: ScaleReview, Subjects: []Candidate{{Name: "A"}}}}, &OpenPoll{ID: "v15"}))
	long := strings.Repeat("x", MaxKey+1)
	tooMany := make([]string, MaxCandidates+1)
	manyRows := map[string]Level{}
	for i := range MaxCandidates + 1 {
		manyRows[strings.Repeat("c", 1)+string(rune('0'+i%10))+strings.Repeat("x", i/10)] = LevelGood
	}
	tests := []struct {
		name  string
		given []Command
		poll  string
		voter string
		b     Ballot
		want  Kind
		field string
	}{
		{"open vote", openVoteOpen(), "v15", "p6", Ballot{Choice: ChoiceAgree}, "", ""},
		{"open vote, blank", openVoteOpen(), "v15", "p6", Ballot{Spoiled: true}, "", ""},
		{"open vote, a word not on the ballot is still a ballot", openVoteOpen(), "v15", "p6", Ballot{Choice: "maybe"}, "", ""},
		{"election, too many names is still a ballot", election, "v15", "p6", Ballot{Kept: []string{"c1", "c2"}}, "", ""},
		{"rating, a row missing is still a ballot", rating, "v15", "p6", Ballot{}, "", ""},
		{"unknown poll", openVoteOpen(), "v99", "p6", Ballot{Choice: ChoiceAgree}, KindNotFound, ""},
		{"poll in draft", openVoteDraft(), "v15", "p6", Ballot{Choice: ChoiceAgree}, KindConflict, ""},
		{"poll closed", cat(openVoteOpen(), cmds(&ClosePoll{ID: "v15"})), "v15", "p6", Ballot{Choice: ChoiceAgree}, KindConflict, ""},
		{"meeting closed", cat(openVoteOpen(), cmds(&CancelPoll{ID: "v15", Reason: "Hoãn"}, &CloseMeeting{})), "v15", "p6", Ballot{Choice: ChoiceAgree}, KindConflict, ""},
		{"not eligible", openVoteOpen(), "v15", "p8", Ballot{Choice: ChoiceAgree}, KindForbidden, ""},
		{"arrived after the opening", cat(openVoteOpen(), cmds(&AddParticipant{NewParticipant{Name: "Mới đến"}}, &MarkAttendance{Participant: "p17", Status: AttendancePresent})), "v15", "p17", Ballot{Choice: ChoiceAgree}, KindForbidden, ""},
		{"already voted", cat(openVoteOpen(), cmds(votes("v15", []string{"p6"}, Ballot{Choice: ChoiceAgree}))), "v15", "p6", Ballot{Choice: ChoiceAgree}, KindConflict, ""},
		{"open vote with names", openVoteOpen(), "v15", "p6", Ballot{Kept: []string{"c1"}}, KindInvalid, "kept"},
		{"open vote with ratings", openVoteOpen(), "v15", "p6", Ballot{Ratings: map[string]Level{"c1": LevelGood}}, KindInvalid, "ratings"},
		{"open vote, choice with a space", openVoteOpen(), "v15", "p6", Ballot{Choice: "ý kiến khác"}, KindInvalid, "choice"},
		{"election with a choice", election, "v15", "p6", Ballot{Choice: ChoiceAgree}, KindInvalid, "choice"},
		{"election with ratings", election, "v15", "p6", Ballot{Ratings: map[string]Level{"c1": LevelGood}}, KindInvalid, "ratings"},
		{"election, too long a list", election, "v15", "p6", Ballot{Kept: tooMany}, KindInvalid, "kept"},
		{"election, a name too long", election, "v15", "p6", Ballot{Kept: []string{long}}, KindInvalid, "kept"},
		{"rating with a choice", rating, "v15", "p6", Ballot{Choice: ChoiceAgree}, KindInvalid, "choice"},
		{"rating with names", rating, "v15", "p6", Ballot{Kept: []string{"c1"}}, KindInvalid, "kept"},
		{"rating, too many rows", rating, "v15", "p6", Ballot{Ratings: manyRows}, KindInvalid, "ratings"},
		{"rating, a key too long", rating, "v15", "p6", Ballot{Ratings: map[string]Level{long: LevelGood}}, KindInvalid, "ratings"},
		{"rating, a level with a control character", rating, "v15", "p6", Ballot{Ratings: map[string]Level{"c1": "good\n"}}, KindInvalid, "ratings"},
	}
	for _, tt := range tests {
		s := given(t, tt.given...)
		err := ValidateBallot(s, Poll{ID: tt.poll}, tt.voter, tt.b)
		if KindOf(err) != tt.want {
			t.Errorf("%s: ValidateBallot = %v; want kind %q", tt.name, err, tt.want)
			continue
		}
		if err == nil {
			continue
		}
		e := err.(*Error)
		if bad := checkMessages(e.Message, e.MessageEN); len(bad) > 0 {
			t.Errorf("%s: %v", tt.name, bad)
		}
		if tt.field != "" && (len(e.Problems) != 1 || e.Problems[0].Field != tt.field) {
			t.Errorf("%s: problems %+v; want one about %s", tt.name, e.Problems, tt.field)
		}
	}
}

func TestPollApplyIgnoresUnknownPolls(t *testing.T) {
	s := given(t, quorate()...)
	before := s.Clone()
	applyAll(t, s,
		newEvent(EventPollUpdated, PollDefined{ID: "v99", PollSpec: voteSpec()}),
		newEvent(EventPollOpened, PollOpened{ID: "v99"}),
		newEvent(EventPollVoted, Voted{Poll: "v99", Voters: []Voter{{Participant: "p6"}}}),
		newEvent(EventPollProgress, PollProgress{Poll: "v99", Voted: 3}),
		newEvent(EventPollClosed, PollRef{ID: "v99"}),
		newEvent(EventPollCounted, PollResult{ID: "v99"}),
		newEvent(EventPollPublished, PollResult{ID: "v99"}),
		newEvent(EventPollCancelled, PollCancelled{ID: "v99", Reason: "x"}),
		newEvent(EventSpeakerWithdrawn, RequestRef{ID: "r99"}),
		newEvent(EventSpeakerMoved, RequestMoved{ID: "r99", Position: 1}),
		newEvent(EventSpeechEnded, SpeechClock{ID: "s99"}),
		newEvent(EventTimerPaused, SpeechClock{ID: "s99"}),
		newEvent(EventTimerResumed, SpeechRef{ID: "s99"}),
		newEvent(EventSpeechLimitSet, SpeechLimit{ID: "s99", Limit: 1}),
		newEvent(EventItemLimitSet, ItemLimit{Item: "i99", Limit: 1}),
		newEvent(EventListClosed, ItemRef{ID: "i99"}),
	)
	before.Seq, before.Head = s.Seq, s.Head
	if diff := cmp.Diff(before, s); diff != "" {
		t.Errorf("events about unknown things changed the state:\n%s", diff)
	}
}

func TestPollHelpers(t *testing.T) {
	if !slices.Equal(ScaleReview.Levels(), []Level{LevelExcellent, LevelGood, LevelDone, LevelFailed}) ||
		!slices.Equal(ScaleConfidence.Levels(), []Level{LevelHigh, LevelMedium, LevelLow}) || Scale("x").Levels() != nil {
		t.Errorf("scale levels wrong")
	}
	for _, k := range []PollKind{PollSecret, PollElection, PollRating} {
		if !k.Secret() {
			t.Errorf("%s is not secret", k)
		}
	}
	if PollOpen.Secret() {
		t.Errorf("an open vote is secret")
	}
	p := Poll{PollSpec: PollSpec{Kind: PollRating, Subjects: names(2), Candidates: names(1)}}
	if len(p.Names()) != 2 {
		t.Errorf("Names of a rating = %v; want its subjects", p.Names())
	}
	p.Kind = PollElection
	if len(p.Names()) != 1 {
		t.Errorf("Names of an election = %v; want its candidates", p.Names())
	}
	s := given(t, openVoteOpen()...)
	if _, ok := s.Poll("v15"); !ok {
		t.Errorf("Poll(v15) not found")
	}
	if _, ok := s.Poll("v99"); ok {
		t.Errorf("Poll(v99) found")
	}
}

// TestVotedCounts: an open poll counts the voters of its poll.voted events
// (public); a secret poll counts only poll.progress, the one event everyone
// receives, so every replica agrees on the count after each event, not only
// after each command.
func TestVotedCounts(t *testing.T) {
	for _, tt := range []struct {
		name  string
		given []Command
		want  []int // Voted after each event
	}{
		{"open", openVoteOpen(), []int{2}},
		{"secret", secretOpen(), []int{0, 2}},
	} {
		s := given(t, tt.given...)
		var b []Ballot
		if tt.name == "open" {
			b = []Ballot{{Choice: ChoiceAgree}, {Choice: ChoiceAgree}}
		}
		events, err := Decide(s, asSystem, votes("v15", []string{"p5", "p6"}, b...), nowAt(s))
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, e := range events {
			if err := Apply(s, e); err != nil {
				t.Fatal(err)
			}
			p, _ := s.Poll("v15")
			got = append(got, p.Voted)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: voted after each event %v; want %v", tt.name, got, tt.want)
		}
	}
}
