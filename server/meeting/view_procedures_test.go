package meeting

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// randomProcedure returns a random command of attendance, the speaker list
// or polls, mostly plausible (see randomCommand).
func randomProcedure(r *rand.Rand, s *State) (Actor, Command) {
	oneOf := func(ids []string) string {
		if len(ids) == 0 || r.IntN(12) == 0 {
			return "x99"
		}
		return ids[r.IntN(len(ids))]
	}
	people := []string{"p5", "p6", "p6", "p7", "p7", "p8"}
	for _, p := range s.Participants {
		people = append(people, p.ID)
	}
	var requests, polls, drafts, open, closed, items []string
	for _, q := range s.Requests {
		requests = append(requests, q.ID)
	}
	for _, p := range s.Polls {
		polls = append(polls, p.ID)
		switch p.Status {
		case PollStatusDraft:
			drafts = append(drafts, p.ID)
		case PollStatusOpen:
			open = append(open, p.ID)
		case PollStatusClosed:
			closed = append(closed, p.ID)
		}
	}
	items = agendaIDs(s)
	staffActor := func() Actor {
		if r.IntN(3) == 0 {
			return asChair
		}
		return asSecretary
	}
	self := func() Actor {
		return []Actor{asDelegate, asDelegate, asOther, asChair, asObserver, asHall, asSecretary}[r.IntN(7)]
	}
	kinds := []SpeechKind{SpeechNormal, SpeechNormal, SpeechPointOfOrder, SpeechReply, ""}
	statuses := []AttendanceStatus{AttendancePresent, AttendancePresent, AttendanceRemote, AttendanceAbsent, AttendanceExcused}
	sites := []string{siteHP, siteDN, ""}

	switch k := r.IntN(100); {
	case k < 3:
		sts := []string{siteHP, siteDN}[:r.IntN(3)]
		return asSecretary, &Configure{Sites: &sts, LateGraceSeconds: ptr(r.IntN(2) * 600)}
	case k < 12:
		st := statuses[r.IntN(3)]
		site := ""
		if st == AttendanceRemote {
			site = sites[r.IntN(3)]
		}
		return self(), &CheckIn{Status: st, Site: site}
	case k < 20:
		st := statuses[r.IntN(len(statuses))]
		c := &MarkAttendance{Participant: oneOf(people), Status: st}
		switch st {
		case AttendanceRemote:
			c.Site = sites[r.IntN(2)]
		case AttendanceAbsent, AttendanceExcused:
			c.Reason = "Ốm"
		}
		return staffActor(), c
	case k < 25:
		if r.IntN(2) == 0 {
			return self(), &CheckOut{}
		}
		return staffActor(), &CheckOut{Participant: oneOf(people)}
	case k < 35:
		return self(), &RequestFloor{Kind: kinds[r.IntN(len(kinds))]}
	case k < 40:
		return staffActor(), &AddSpeaker{Participant: oneOf(people), Kind: kinds[r.IntN(len(kinds))], Position: r.IntN(3)}
	case k < 42:
		return self(), &WithdrawRequest{ID: oneOf(requests)}
	case k < 46:
		id := oneOf(requests)
		q, _ := s.request(id)
		return staffActor(), &ReorderRequest{ID: id, Position: 1 + r.IntN(max(1, len(s.Queue(q.Item))))}
	case k < 53:
		if r.IntN(2) == 0 {
			return staffActor(), &GiveFloor{}
		}
		return staffActor(), &GiveFloor{ID: oneOf(requests)}
	case k < 56:
		return self(), &EndSpeech{}
	case k < 58:
		return staffActor(), &CloseList{Item: oneOf(append(items, ""))}
	case k < 60:
		return staffActor(), &ReopenList{Item: oneOf(append(items, ""))}
	case k < 64:
		if sp, ok := s.Speaking(); ok && sp.Paused {
			return staffActor(), &SpeakerTimer{Action: TimerResume}
		}
		return staffActor(), &SpeakerTimer{Action: []string{TimerPause, TimerResume, TimerAdd}[r.IntN(3)], Seconds: 30}
	case k < 66:
		return staffActor(), &SetSpeakingLimit{Current: r.IntN(2) == 0, Seconds: 60 * r.IntN(4)}
	case k < 72:
		var spec PollSpec
		switch r.IntN(4) {
		case 0:
			spec = PollSpec{Question: "Thông qua", Kind: PollOpen}
		case 1:
			spec = PollSpec{Question: "Kết nạp", Kind: PollSecret, Threshold: Threshold{Num: 2, Den: 3, AtLeast: true}}
		case 2:
			spec = PollSpec{Question: "Bầu", Kind: PollElection, Seats: 1 + r.IntN(2), Candidates: []Candidate{{Participant: "p5"}, {Name: "Ứng viên B"}, {Name: "Ứng viên C"}}}
		default:
			spec = PollSpec{Question: "Xếp loại", Kind: PollRating, Scale: []Scale{ScaleReview, ScaleConfidence}[r.IntN(2)], Subjects: []Candidate{{Participant: "p6"}, {Name: "Tập thể chi bộ"}}}
		}
		return staffActor(), &CreatePoll{spec}
	case k < 74:
		return staffActor(), &UpdatePoll{ID: oneOf(polls), PollSpec: PollSpec{Question: fmt.Sprintf("Thông qua (%d)", r.IntN(3)), Kind: PollOpen}}
	case k < 80:
		return staffActor(), &OpenPoll{ID: oneOf(drafts), OverrideQuorum: r.IntN(2) == 0}
	case k < 90:
		id := oneOf(open)
		p, _ := s.Poll(id)
		var votes []VoteRecord
		for _, v := range p.Eligible {
			if p.HasVoted(v) || r.IntN(2) == 0 {
				continue
			}
			rec := VoteRecord{Participant: v}
			if !p.Kind.Secret() || r.IntN(15) == 0 {
				b := randomBallot(r, p)
				rec.Ballot = &b
			}
			votes = append(votes, rec)
		}
		if r.IntN(20) == 0 {
			votes = append(votes, VoteRecord{Participant: "p8"})
		}
		return asSystem, &RecordVotes{Poll: id, Votes: votes}
	case k < 94:
		return staffActor(), &ClosePoll{ID: oneOf(open)}
	case k < 96:
		return staffActor(), &PublishPoll{ID: oneOf(closed)}
	case k < 98:
		return staffActor(), &CancelPoll{ID: oneOf(polls), Reason: "Hủy"}
	default:
		return staffActor(), &RevotePoll{ID: oneOf(polls)}
	}
}

// randomBallot returns a random ballot of p's kind, valid or not.
func randomBallot(r *rand.Rand, p Poll) Ballot {
	if r.IntN(10) == 0 {
		return Ballot{Spoiled: true}
	}
	switch p.Kind {
	case PollElection:
		var kept []string
		for _, c := range p.Candidates {
			if r.IntN(2) == 0 {
				kept = append(kept, c.ID)
			}
		}
		return Ballot{Kept: kept}
	case PollRating:
		b := Ballot{Ratings: map[string]Level{}}
		levels := p.Scale.Levels()
		for _, c := range p.Subjects {
			if r.IntN(8) > 0 {
				b.Ratings[c.ID] = levels[r.IntN(len(levels))]
			}
		}
		return b
	}
	return Ballot{Choice: []Choice{ChoiceAgree, ChoiceAgree, ChoiceDisagree, ChoiceAbstain, ""}[r.IntN(5)]}
}

func TestViewHidesVotersAndResults(t *testing.T) {
	s := given(t, cat(secretOpen(), cmds(votes("v15", []string{"p6"})))...)
	// The staff's view is the whole state; others lose the other voters
	// and the results before publication.
	for _, v := range []Viewer{viewSecretary, viewChair} {
		if diff := cmp.Diff(s, View(s, v)); diff != "" {
			t.Errorf("View(%+v) is not the whole state:\n%s", v, diff)
		}
	}
	before := s.Clone()
	vp, _ := View(s, viewOther).Poll("v15")
	if vp.Voters != nil || vp.Voted != 1 {
		t.Errorf("View(other delegate): voters %+v, voted %d; want none, 1", vp.Voters, vp.Voted)
	}
	if diff := cmp.Diff(before, s); diff != "" {
		t.Errorf("View changed the state:\n%s", diff)
	}
}
