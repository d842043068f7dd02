package meeting

import (
	"encoding/json"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// goNames matches what must never reach a user: Go type and identifier
// names, qualified names, and Go's reference-time layout.
// ("string" and "object" are JSON's words too, so they are allowed.)
var goNames = regexp.MustCompile(`\b(u?int(8|16|32|64)?|float(32|64)|bool|struct|map|interface|Go|of type|` +
	`Details|NewParticipant|Participant|Item|Time|Role|UnmarshalJSON|RawMessage|` +
	`CreateMeeting|UpdateMeeting|OpenMeeting|PauseMeeting|ResumeMeeting|CloseMeeting|AddItem|RenameItem|MoveItem|RemoveItem|` +
	`SetItemDone|SetCurrentItem|AdvanceAgenda|AddParticipant|ImportParticipants|UpdateParticipant|RemoveParticipant|RecordPairing|SendNotice|` +
	`Configure|CheckIn|MarkAttendance|CheckOut|RequestFloor|WithdrawRequest|ReorderRequest|AddSpeaker|GiveFloor|EndSpeech|CloseList|ReopenList|` +
	`SpeakerTimer|SetSpeakingLimit|CreatePoll|UpdatePoll|OpenPoll|ClosePoll|PublishPoll|CancelPoll|RevotePoll|RecordVotes|PresentDocument|Presentation|RequestSupport|ResolveSupport|PollSpec|Ballot|Candidate|QuorumRule|Threshold)\b|` +
	`meeting\.[A-Z]|json\.|time\.|\[\]|2006`)

func TestParseCommandEveryName(t *testing.T) {
	wantType := map[string]Command{
		"meeting.create":     &CreateMeeting{},
		"meeting.update":     &UpdateMeeting{},
		"meeting.open":       &OpenMeeting{},
		"meeting.pause":      &PauseMeeting{},
		"meeting.resume":     &ResumeMeeting{},
		"meeting.close":      &CloseMeeting{},
		"agenda.add":         &AddItem{},
		"agenda.rename":      &RenameItem{},
		"agenda.move":        &MoveItem{},
		"agenda.remove":      &RemoveItem{},
		"agenda.done":        &SetItemDone{},
		"agenda.current":     &SetCurrentItem{},
		"agenda.advance":     &AdvanceAgenda{},
		"participant.add":    &AddParticipant{},
		"participant.import": &ImportParticipants{},
		"participant.update": &UpdateParticipant{},
		"participant.remove": &RemoveParticipant{},
		"participant.paired": &RecordPairing{},
		"notice.send":        &SendNotice{},

		"meeting.configure":    &Configure{},
		"attendance.check_in":  &CheckIn{},
		"attendance.mark":      &MarkAttendance{},
		"attendance.check_out": &CheckOut{},
		"speaker.request":      &RequestFloor{},
		"speaker.withdraw":     &WithdrawRequest{},
		"speaker.reorder":      &ReorderRequest{},
		"speaker.add":          &AddSpeaker{},
		"speaker.give_floor":   &GiveFloor{},
		"speaker.end":          &EndSpeech{},
		"speaker.close_list":   &CloseList{},
		"speaker.reopen_list":  &ReopenList{},
		"speaker.timer":        &SpeakerTimer{},
		"speaker.set_limit":    &SetSpeakingLimit{},
		"poll.create":          &CreatePoll{},
		"poll.update":          &UpdatePoll{},
		"poll.open":            &OpenPoll{},
		"poll.close":           &ClosePoll{},
		"poll.publish":         &PublishPoll{},
		"poll.cancel":          &CancelPoll{},
		"poll.revote":          &RevotePoll{},
		"poll.record_votes":    &RecordVotes{},

		"document.add":              &AddDocument{},
		"document.add_version":      &AddVersion{},
		"document.update":           &UpdateDocument{},
		"document.publish":          &PublishDocument{},
		"document.withdraw":         &WithdrawDocument{},
		"document.record_downloads": &RecordDownloads{},

		"minutes.conclude": &Conclude{},
		"minutes.finalize": &FinalizeMinutes{},
		"minutes.correct":  &CorrectMinutes{},
		"document.present": &PresentDocument{},

		"support.request": &RequestSupport{},
		"support.resolve": &ResolveSupport{},

		"attendance.mark_all_present": &MarkAllPresent{},
		"body.propose":                &ProposeBody{},

		// The congress floor (floor*.go).
		"draft.open":            &OpenDraft{},
		"draft.update":          &UpdateDraft{},
		"draft.revise":          &ReviseDraft{},
		"opinion.give":          &GiveOpinion{},
		"opinion.withdraw":      &WithdrawOpinion{},
		"group.define":          &DefineGroup{},
		"group.remove":          &RemoveGroup{},
		"group.sit":             &SitGroup{},
		"group.rise":            &RiseGroup{},
		"sitting.link":          &LinkSitting{},
		"sitting.note":          &NoteSitting{},
		"sitting.summary":       &SummarizeSitting{},
		"contribution.register": &RegisterContribution{},
		"contribution.schedule": &ScheduleContribution{},
		"contribution.withdraw": &WithdrawContribution{},
		"paper.technicians":     &NamePaperTechnicians{},
		"paper.record_counts":   &RecordPaperCounts{},
		"paper.enter":           &EnterPaperBallot{},
		"paper.undo":            &UndoPaperBallot{},
		"paper.finish":          &FinishPaperBundle{},
		"paper.decide":          &DecidePaperBallot{},
	}
	if got, want := slices.Sorted(slices.Values(CommandNames())), slices.Sorted(maps.Keys(wantType)); !cmp.Equal(got, want) {
		t.Errorf("CommandNames() = %v; want %v", got, want)
	}
	for _, name := range CommandNames() {
		c, err := ParseCommand(name, json.RawMessage(`{}`))
		if err != nil {
			t.Errorf("ParseCommand(%q, {}) = %v; want a command", name, err)
			continue
		}
		if got, want := reflect.TypeOf(c), reflect.TypeOf(wantType[name]); got != want {
			t.Errorf("ParseCommand(%q, {}) = %T; want %v", name, c, want)
		}
		if c.Name() != name {
			t.Errorf("ParseCommand(%q, {}).Name() = %q; want %q", name, c.Name(), name)
		}
		if !reflect.DeepEqual(c, wantType[name]) {
			t.Errorf("ParseCommand(%q, {}) = %+v; want the zero command", name, c)
		}
		// Each call returns a new command.
		c2, _ := ParseCommand(name, json.RawMessage(`{}`))
		if reflect.ValueOf(c).Pointer() == reflect.ValueOf(c2).Pointer() && reflect.TypeOf(c).Elem().Size() > 0 {
			t.Errorf("ParseCommand(%q) twice returned the same command", name)
		}
	}
}

func TestParseCommandFields(t *testing.T) {
	tests := []struct {
		name, data string
		want       Command
	}{
		{"meeting.create", `{"title":"Hội nghị","organization":"Chi bộ","place":"Hội trường","starts_at":"2025-12-15T08:00:00+07:00","chair":"An","secretary":"Bình"}`,
			&CreateMeeting{Details{Title: "Hội nghị", Organization: "Chi bộ", Place: "Hội trường", StartsAt: time.Date(2025, 12, 15, 1, 0, 0, 0, time.UTC), Chair: "An", Secretary: "Bình"}}},
		{"meeting.update", `{"title":"Hội nghị"}`, &UpdateMeeting{Details{Title: "Hội nghị"}}},
		{"agenda.add", `{"title":"Thảo luận","presenter":"An","position":2}`, &AddItem{Title: "Thảo luận", Presenter: "An", Position: 2}},
		{"agenda.rename", `{"id":"i2","title":"Khai mạc","presenter":"An"}`, &RenameItem{ID: "i2", Title: "Khai mạc", Presenter: "An"}},
		{"agenda.move", `{"id":"i2","position":3}`, &MoveItem{ID: "i2", Position: 3}},
		{"agenda.remove", `{"id":"i2"}`, &RemoveItem{ID: "i2"}},
		{"agenda.done", `{"id":"i2","done":true}`, &SetItemDone{ID: "i2", Done: true}},
		{"agenda.current", `{"id":"i2"}`, &SetCurrentItem{ID: "i2"}},
		{"participant.add", `{"name":"An","position":"Bí thư","unit":"Chi bộ","role":"chair"}`, &AddParticipant{NewParticipant{Name: "An", Position: "Bí thư", Unit: "Chi bộ", Role: RoleChair}}},
		{"participant.import", `{"rows":[{"name":"An"},{"name":"Bình","role":"observer"}]}`, &ImportParticipants{Rows: []NewParticipant{{Name: "An"}, {Name: "Bình", Role: RoleObserver}}}},
		{"participant.update", `{"id":"p6","name":"An","role":"delegate"}`, &UpdateParticipant{ID: "p6", NewParticipant: NewParticipant{Name: "An", Role: RoleDelegate}}},
		{"participant.remove", `{"id":"p6"}`, &RemoveParticipant{ID: "p6"}},
		{"participant.paired", `{"id":"p6"}`, &RecordPairing{ID: "p6"}},
		{"notice.send", `{"text":"Giải lao","to":"p6"}`, &SendNotice{Text: "Giải lao", To: "p6"}},
		{"notice.send", " \n\t{\"text\":\"Giải lao\"}\n ", &SendNotice{Text: "Giải lao"}},
		{"meeting.configure", `{"sites":["Điểm cầu A"],"quorum":{"num":2,"den":3,"at_least":true,"base":"summoned"},"late_grace_seconds":600,"speaking_seconds":300,"tie_rule":"elder","excellent_cap":{"enabled":true,"percent":20},"empty_election_ballot_invalid":false}`,
			&Configure{Sites: &[]string{"Điểm cầu A"}, Quorum: &QuorumRule{Threshold: Threshold{Num: 2, Den: 3, AtLeast: true}, Base: QuorumOfSummoned}, LateGraceSeconds: ptr(600), SpeakingSeconds: ptr(300),
				TieRule: ptr(TieElder), ExcellentCap: &ExcellentCap{Enabled: true, Percent: 20}, EmptyElectionBallotInvalid: ptr(false)}},
		{"attendance.check_in", `{"status":"remote","site":"Điểm cầu A"}`, &CheckIn{Status: AttendanceRemote, Site: "Điểm cầu A"}},
		{"attendance.mark", `{"participant":"p6","status":"present","late":false}`, &MarkAttendance{Participant: "p6", Status: AttendancePresent, Late: ptr(false)}},
		{"attendance.check_out", `{"participant":"p6"}`, &CheckOut{Participant: "p6"}},
		{"speaker.request", `{"kind":"point_of_order","topic":"Thủ tục"}`, &RequestFloor{Kind: SpeechPointOfOrder, Topic: "Thủ tục"}},
		{"speaker.add", `{"participant":"p8","item":"i3","kind":"reply","position":2}`, &AddSpeaker{Participant: "p8", Item: "i3", Kind: SpeechReply, Position: 2}},
		{"speaker.timer", `{"action":"add","seconds":60}`, &SpeakerTimer{Action: TimerAdd, Seconds: 60}},
		{"speaker.set_limit", `{"current":true,"seconds":120}`, &SetSpeakingLimit{Current: true, Seconds: 120}},
		{"poll.create", `{"question":"Bầu","kind":"election","seats":1,"candidates":[{"name":"An","participant":"p5","born":"1970-01-02"}],"base":"valid","threshold":{"num":1,"den":2}}`,
			&CreatePoll{PollSpec{Question: "Bầu", Kind: PollElection, Seats: 1, Candidates: []Candidate{{Name: "An", Participant: "p5", Born: "1970-01-02"}}, Base: BaseValid, Threshold: MoreThanHalf}}},
		{"poll.open", `{"id":"v15","override_quorum":true}`, &OpenPoll{ID: "v15", OverrideQuorum: true}},
		{"poll.revote", `{"id":"v15","keep":["c2","c3"],"seats":1}`, &RevotePoll{ID: "v15", Keep: []string{"c2", "c3"}, Seats: 1}},
		{"poll.record_votes", `{"poll":"v15","votes":[{"participant":"p6","ballot":{"ratings":{"c1":"good"}}}]}`,
			&RecordVotes{Poll: "v15", Votes: []VoteRecord{{Participant: "p6", Ballot: &Ballot{Ratings: map[string]Level{"c1": LevelGood}}}}}},
	}
	for _, tt := range tests {
		got, err := ParseCommand(tt.name, json.RawMessage(tt.data))
		if err != nil {
			t.Errorf("ParseCommand(%q, %s) = %v; want %+v", tt.name, tt.data, err, tt.want)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseCommand(%q, %s) = %+v; want %+v (-want +got):\n%s", tt.name, tt.data, got, tt.want, diff)
		}
	}
}

func TestParseCommandEmptyData(t *testing.T) {
	for _, name := range []string{"meeting.open", "meeting.pause", "meeting.resume", "meeting.close", "agenda.advance"} {
		for _, data := range []string{"", " ", "\n\t", "null", " null\n", "{}", " { } "} {
			c, err := ParseCommand(name, json.RawMessage(data))
			if err != nil || c == nil || c.Name() != name {
				t.Errorf("ParseCommand(%q, %q) = %v, %v; want a %s command", name, data, c, err, name)
			}
		}
	}
	if c, err := ParseCommand("agenda.advance", nil); err != nil || c.Name() != "agenda.advance" {
		t.Errorf("ParseCommand(agenda.advance, nil) = %v, %v; want the command", c, err)
	}
}

func TestParseCommandErrors(t *testing.T) {
	tests := []struct {
		name, data string
		mention    string // the message (English) must mention this, if set
	}{
		// Unknown names.
		{"meeting.delete", `{}`, `"meeting.delete"`},
		{"", `{}`, ""},
		{"Meeting.Open", `{}`, ""},
		{"meeting.open ", `{}`, ""},
		// Unknown fields.
		{"meeting.open", `{"force":true}`, `"force"`},
		{"agenda.add", `{"title":"x","Title":"y","extra":1}`, `"extra"`},
		{"participant.import", `{"rows":[{"name":"An","email":"a@b"}]}`, `"email"`},
		{"meeting.create", `{"title":"x","Details":{"title":"y"}}`, `"Details"`},
		// Wrong types.
		{"meeting.create", `{"title":5}`, `"title"`},
		{"meeting.create", `{"title":"x","starts_at":5}`, ""},
		{"meeting.create", `{"title":"x","starts_at":"hôm nay"}`, ""},
		{"meeting.create", `{"title":"x","starts_at":"2025-12-15"}`, ""},
		{"meeting.update", `{"title":["x"]}`, `"title"`},
		{"agenda.add", `{"title":"x","position":"2"}`, `"position"`},
		{"agenda.add", `{"title":"x","position":1.5}`, `"position"`},
		{"agenda.add", `{"title":"x","position":1e40}`, `"position"`},
		{"agenda.done", `{"id":"i2","done":"true"}`, `"done"`},
		{"agenda.move", `{"id":2,"position":1}`, `"id"`},
		{"participant.add", `{"name":"An","role":7}`, `"role"`},
		{"participant.update", `{"id":"p6","name":{"first":"An"}}`, `"name"`},
		{"participant.import", `{"rows":{"name":"An"}}`, `"rows"`},
		{"participant.import", `{"rows":[{"name":"An"},{"name":false}]}`, `"rows.1.name"`},
		{"participant.import", `{"rows":["An"]}`, `"rows.0"`},
		{"notice.send", `{"text":"x","to":1}`, `"to"`},
		{"meeting.open", `[]`, ""},
		{"meeting.open", `"open"`, ""},
		{"meeting.open", `5`, ""},
		{"meeting.open", `true`, ""},
		// Malformed JSON.
		{"agenda.add", `{"title":"x"`, ""},
		{"agenda.add", `{"title":"x",}`, ""},
		{"agenda.add", `{title:"x"}`, ""},
		{"agenda.add", `nul`, ""},
		// Trailing data.
		{"agenda.add", `{"title":"x"} {}`, ""},
		{"agenda.add", `{"title":"x"} x`, ""},
		{"agenda.add", `{"title":"x"}}`, ""},
		{"agenda.add", `{"title":"x"}]`, ""},
		{"agenda.add", `{"title":"x"} , {}`, ""},
		{"meeting.open", `{}{}`, ""},
		{"meeting.open", `{} }`, ""},
		{"meeting.open", `null null`, ""},
		{"meeting.open", `null }`, ""},
	}
	for _, tt := range tests {
		c, err := ParseCommand(tt.name, json.RawMessage(tt.data))
		if err == nil {
			t.Errorf("ParseCommand(%q, %s) = %+v, nil; want an invalid error", tt.name, tt.data, c)
			continue
		}
		if c != nil {
			t.Errorf("ParseCommand(%q, %s) = %+v, %v; want no command", tt.name, tt.data, c, err)
		}
		var e *Error
		if !asError(err, &e) || e.Kind != KindInvalid {
			t.Errorf("ParseCommand(%q, %s) = %v; want a *Error of kind invalid", tt.name, tt.data, err)
			continue
		}
		if e.Message == "" || e.MessageEN == "" || e.Message == e.MessageEN {
			t.Errorf("ParseCommand(%q, %s) = messages %q / %q; want a Vietnamese and an English message", tt.name, tt.data, e.Message, e.MessageEN)
		}
		if tt.mention != "" && !strings.Contains(e.MessageEN, tt.mention) {
			t.Errorf("ParseCommand(%q, %s) = %q; want it to mention %s", tt.name, tt.data, e.MessageEN, tt.mention)
		}
		for _, msg := range []string{e.Message, e.MessageEN} {
			echoed := strings.ReplaceAll(strings.ReplaceAll(msg, tt.name, ""), tt.mention, "") // the input's own words
			if m := goNames.FindString(echoed); m != "" {
				t.Errorf("ParseCommand(%q, %s) = %q; want no Go names in the message (found %q)", tt.name, tt.data, msg, m)
			}
			if strings.Contains(msg, "%!") {
				t.Errorf("ParseCommand(%q, %s) = %q: a formatting mistake", tt.name, tt.data, msg)
			}
		}
	}
}

// TestParseThenDecide checks that wire data goes all the way through.
func TestParseThenDecide(t *testing.T) {
	s := given(t, base()...)
	c, err := ParseCommand("agenda.add", json.RawMessage(`{"title":" Thảo luận ","position":1}`))
	if err != nil {
		t.Fatal(err)
	}
	events, err := Decide(s, asSecretary, c, t0)
	if err != nil || len(events) != 1 {
		t.Fatalf("Decide(parsed agenda.add) = %v, %v; want one event", events, err)
	}
	p, _ := payloadOf(events[0].Type, events[0].Data)
	if want := (ItemAdded{Item: Item{ID: "i10", Title: "Thảo luận"}, Position: 1}); p != want {
		t.Errorf("Decide(parsed agenda.add) payload = %+v; want %+v", p, want)
	}
}
