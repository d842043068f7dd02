package meeting

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Command is a request to change a meeting. Its Name is the wire name used
// by the WebSocket protocol and the permission table.
type Command interface {
	Name() string
	// decide returns the unsealed events of the command applied to s, or
	// an error. first is the sequence number the first event will get and
	// now the time stamped on the events (UTC).
	decide(s *State, a Actor, first int64, now time.Time) ([]Event, error)
}

// Actor is who gives a command: an account (a secretary at the console), a
// participant's paired device, or the server itself.
type Actor struct {
	ID          string `json:"id"`                    // as written to the log, e.g. "account:admin"
	Role        Role   `json:"role"`                  // the role in this meeting
	Participant string `json:"participant,omitempty"` // participant ID, for paired devices
	// Station identifies the device session a participant acts from (an
	// entry station for paper ballots, paper.go). The web layer sets it
	// from the session, never from what a client sends.
	Station string `json:"station,omitempty"`
}

// Viewer returns the viewer corresponding to a.
func (a Actor) Viewer() Viewer { return Viewer{Participant: a.Participant, Role: a.Role} }

// Limits on sizes, so that no input can grow a meeting without bound.
const (
	MaxTitle        = 500   // runes in a title
	MaxName         = 200   // runes in a name, position or unit
	MaxNotice       = 2000  // runes in a notice
	MaxItems        = 300   // agenda items in a meeting
	MaxParticipants = 10000 // participants in a meeting
	MaxNotices      = 5000  // notices in a meeting
)

// The commands, by wire name.
var commands = map[string]func() Command{
	"meeting.create":     func() Command { return &CreateMeeting{} },
	"meeting.update":     func() Command { return &UpdateMeeting{} },
	"meeting.open":       func() Command { return &OpenMeeting{} },
	"meeting.pause":      func() Command { return &PauseMeeting{} },
	"meeting.resume":     func() Command { return &ResumeMeeting{} },
	"meeting.close":      func() Command { return &CloseMeeting{} },
	"agenda.add":         func() Command { return &AddItem{} },
	"agenda.rename":      func() Command { return &RenameItem{} },
	"agenda.move":        func() Command { return &MoveItem{} },
	"agenda.remove":      func() Command { return &RemoveItem{} },
	"agenda.done":        func() Command { return &SetItemDone{} },
	"agenda.current":     func() Command { return &SetCurrentItem{} },
	"agenda.advance":     func() Command { return &AdvanceAgenda{} },
	"participant.add":    func() Command { return &AddParticipant{} },
	"participant.import": func() Command { return &ImportParticipants{} },
	"participant.update": func() Command { return &UpdateParticipant{} },
	"participant.remove": func() Command { return &RemoveParticipant{} },
	"participant.paired": func() Command { return &RecordPairing{} },
	"notice.send":        func() Command { return &SendNotice{} },

	"meeting.configure":    func() Command { return &Configure{} },
	"attendance.check_in":  func() Command { return &CheckIn{} },
	"attendance.mark":      func() Command { return &MarkAttendance{} },
	"attendance.check_out": func() Command { return &CheckOut{} },
	"speaker.request":      func() Command { return &RequestFloor{} },
	"speaker.withdraw":     func() Command { return &WithdrawRequest{} },
	"speaker.reorder":      func() Command { return &ReorderRequest{} },
	"speaker.add":          func() Command { return &AddSpeaker{} },
	"speaker.give_floor":   func() Command { return &GiveFloor{} },
	"speaker.end":          func() Command { return &EndSpeech{} },
	"speaker.close_list":   func() Command { return &CloseList{} },
	"speaker.reopen_list":  func() Command { return &ReopenList{} },
	"speaker.timer":        func() Command { return &SpeakerTimer{} },
	"speaker.set_limit":    func() Command { return &SetSpeakingLimit{} },
	"poll.create":          func() Command { return &CreatePoll{} },
	"poll.update":          func() Command { return &UpdatePoll{} },
	"poll.open":            func() Command { return &OpenPoll{} },
	"poll.close":           func() Command { return &ClosePoll{} },
	"poll.publish":         func() Command { return &PublishPoll{} },
	"poll.cancel":          func() Command { return &CancelPoll{} },
	"poll.revote":          func() Command { return &RevotePoll{} },
	"poll.record_votes":    func() Command { return &RecordVotes{} },

	"document.add":              func() Command { return &AddDocument{} },
	"document.add_version":      func() Command { return &AddVersion{} },
	"document.update":           func() Command { return &UpdateDocument{} },
	"document.publish":          func() Command { return &PublishDocument{} },
	"document.withdraw":         func() Command { return &WithdrawDocument{} },
	"document.record_downloads": func() Command { return &RecordDownloads{} },

	"minutes.conclude": func() Command { return &Conclude{} },
	"minutes.finalize": func() Command { return &FinalizeMinutes{} },
	"minutes.correct":  func() Command { return &CorrectMinutes{} },
	"document.present": func() Command { return &PresentDocument{} },

	"support.request": func() Command { return &RequestSupport{} },
	"support.resolve": func() Command { return &ResolveSupport{} },

	"attendance.mark_all_present": func() Command { return &MarkAllPresent{} },
	"body.propose":                func() Command { return &ProposeBody{} },

	"paper.technicians":   func() Command { return &NamePaperTechnicians{} },
	"paper.record_counts": func() Command { return &RecordPaperCounts{} },
	"paper.enter":         func() Command { return &EnterPaperBallot{} },
	"paper.undo":          func() Command { return &UndoPaperBallot{} },
	"paper.finish":        func() Command { return &FinishPaperBundle{} },
	"paper.decide":        func() Command { return &DecidePaperBallot{} },
}

// CommandNames returns every command's wire name.
func CommandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	return names
}

// ParseCommand decodes the command named name from its JSON data. Unknown
// names and unknown or mistyped fields are Invalid errors.
func ParseCommand(name string, data json.RawMessage) (Command, error) {
	mk, ok := commands[name]
	if !ok {
		return nil, Errorf(KindInvalid, "Lệnh không xác định: %q.", "unknown command %q", name)
	}
	c := mk()
	if len(bytes.TrimSpace(data)) == 0 || string(bytes.TrimSpace(data)) == "null" {
		data = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return nil, Errorf(KindInvalid, "Dữ liệu của lệnh %s không hợp lệ: %s.", "invalid data for %s: %s", name, jsonReason(err))
	}
	// Not dec.More: it reports no more data before a stray '}' or ']'.
	if len(bytes.TrimSpace(data[dec.InputOffset():])) > 0 {
		return nil, Errorf(KindInvalid, "Dữ liệu của lệnh %s có phần thừa.", "trailing data after %s", name)
	}
	return c, nil
}

// jsonReason turns a decoding error into a short reason without Go type names.
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	var pe *time.ParseError
	switch {
	case errors.As(err, &te):
		// te.Field is a Go path: drop the names of embedded structs
		// ("Details.title" is "title" on the wire).
		var path []string
		for _, f := range strings.Split(te.Field, ".") {
			if r, _ := utf8.DecodeRuneInString(f); f != "" && !unicode.IsUpper(r) {
				path = append(path, f)
			}
		}
		if len(path) == 0 {
			return "the data must be a JSON object"
		}
		return fmt.Sprintf("field %q has the wrong type", strings.Join(path, "."))
	case errors.As(err, &pe), strings.HasPrefix(err.Error(), "Time."):
		// time.Time's own errors name Go's layout or type.
		return "a date and time must be a string such as \"2025-12-15T08:00:00+07:00\""
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// text validates and normalises a free-text field: trimmed, not empty unless
// optional, at most max runes, valid UTF-8, no control characters except
// newline and tab. label is the field's Vietnamese name, field its English.
func text(field, label, s string, max int, optional bool) (string, error) {
	bad := func(vi, en string) error {
		return &Error{Kind: KindInvalid, Message: label + " " + vi, MessageEN: field + " " + en,
			Problems: []Problem{{Field: field, Message: label + " " + vi, MessageEN: field + " " + en}}}
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "" && optional:
		return "", nil
	case s == "":
		return "", bad("không được để trống.", "must not be empty.")
	case !utf8.ValidString(s):
		return "", bad("chứa ký tự không hợp lệ.", "is not valid UTF-8.")
	case utf8.RuneCountInString(s) > max:
		return "", bad(fmt.Sprintf("dài quá %d ký tự.", max), fmt.Sprintf("is longer than %d characters.", max))
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", bad("chứa ký tự điều khiển.", "contains a control character.")
		}
	}
	return s, nil
}
