package meeting

import (
	"fmt"
	"slices"
	"time"
)

// The congress's own bodies (docs/rules.md §3, §4, §8): the presidium (Đoàn Chủ
// tịch) presides, the secretariat (Đoàn Thư ký) keeps the minutes, the
// vote-counting committee (Ban Kiểm phiếu) issues, collects and counts the
// secret ballots and signs the counting record (biên bản kiểm phiếu). A
// congress approves each by show of hands at its start.
//
// A body is a meeting role held by participants, besides their Role:
//
//   - body.propose sets a body's proposed members, in order (the first is
//     its head). The secretariat may prepare it before the opening.
//   - An open vote approves it: a poll of kind open with Body set (its
//     question, for example "Thông qua danh sách Ban Kiểm phiếu"). When its
//     result, passed, is published (poll.publish), the same command records
//     body.approved: the body now holds its members, and what it owns
//     (the counting records for the counting committee, the minutes for
//     the presidium and the secretariat) prints them in its signature
//     blocks. A vote that does not pass leaves the body proposed.
//   - Proposing again replaces the members and needs a new vote. Not
//     while a vote on the body is open or counted but not yet published.
//
// Paper counting (issue 19) builds on Body(BodyCounting) and InBody: only
// the approved counting committee (and the technicians it names) will key
// paper ballots.

// BodyKind is one of the congress's bodies.
type BodyKind string

// The bodies.
const (
	BodyPresidium   BodyKind = "presidium"   // Đoàn Chủ tịch: presides, signs the minutes
	BodySecretariat BodyKind = "secretariat" // Đoàn Thư ký: records, signs the minutes
	BodyCounting    BodyKind = "counting"    // Ban Kiểm phiếu: counts the secret ballots, signs the counting records
)

// BodyKinds are the bodies, in the order they are approved and printed.
var BodyKinds = []BodyKind{BodyPresidium, BodySecretariat, BodyCounting}

func (k BodyKind) valid() bool { return slices.Contains(BodyKinds, k) }

// MaxBodyMembers bounds the members of one body.
const MaxBodyMembers = 100

// BodyMember is one member of a body. Post is their post in it ("Trưởng
// ban", "Ủy viên"); empty, the minutes print the head's or member's
// default title.
type BodyMember struct {
	Participant string `json:"participant"`
	Post        string `json:"post,omitempty"`
}

// Body is a body of the meeting: proposed, then approved by an open vote.
type Body struct {
	Kind    BodyKind     `json:"kind"`
	Members []BodyMember `json:"members"` // in order; the first is the head
	// Poll is the open vote that approved the body; ApprovedAt when its
	// result was published. Both empty while the body is only proposed.
	Poll       string    `json:"poll,omitempty"`
	ApprovedAt time.Time `json:"approved_at,omitzero"`
}

// Approved reports whether an open vote approved the body.
func (b Body) Approved() bool { return b.Poll != "" }

// Has reports whether participant pid is a member of b.
func (b Body) Has(pid string) bool {
	return slices.ContainsFunc(b.Members, func(m BodyMember) bool { return m.Participant == pid })
}

// Head returns the head of b (the first member) and whether b has one.
func (b Body) Head() (BodyMember, bool) {
	if len(b.Members) == 0 {
		return BodyMember{}, false
	}
	return b.Members[0], true
}

func (b Body) clone() Body {
	b.Members = slices.Clone(b.Members)
	return b
}

// Body returns the body of kind k and whether it was proposed.
func (s *State) Body(k BodyKind) (Body, bool) {
	if i := slices.IndexFunc(s.Bodies, func(b Body) bool { return b.Kind == k }); i >= 0 {
		return s.Bodies[i], true
	}
	return Body{}, false
}

// InBody reports whether participant pid is a member of the approved body
// of kind k.
func (s *State) InBody(k BodyKind, pid string) bool {
	b, ok := s.Body(k)
	return ok && b.Approved() && b.Has(pid)
}

// Payloads of the body events.
type (
	// BodyProposed is the payload of body.proposed.
	BodyProposed struct {
		Kind    BodyKind     `json:"kind"`
		Members []BodyMember `json:"members"`
	}
	// BodyApproved is the payload of body.approved: the body of Kind was
	// approved by the open vote Poll.
	BodyApproved struct {
		Kind BodyKind `json:"kind"`
		Poll string   `json:"poll"`
	}
)

// ProposeBody proposes the members of a body (in order, the head first).
type ProposeBody struct {
	Kind    BodyKind     `json:"kind"`
	Members []BodyMember `json:"members"`
}

// Name implements Command.
func (*ProposeBody) Name() string { return "body.propose" }

func (c *ProposeBody) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if !c.Kind.valid() {
		return nil, fieldErr("kind", fmt.Sprintf("Cơ quan %q không hợp lệ (presidium, secretariat hoặc counting).", c.Kind), fmt.Sprintf("body %q is not valid (presidium, secretariat or counting)", c.Kind))
	}
	if len(c.Members) == 0 {
		return nil, fieldErr("members", "Danh sách thành viên trống.", "no members given")
	}
	if len(c.Members) > MaxBodyMembers {
		return nil, fieldErr("members", fmt.Sprintf("Không được quá %d thành viên.", MaxBodyMembers), fmt.Sprintf("at most %d members", MaxBodyMembers))
	}
	members := make([]BodyMember, len(c.Members))
	bad := func(row int, vi, en string) error {
		return &Error{Kind: KindInvalid, Message: fmt.Sprintf("Dòng %d: %s", row, vi), MessageEN: fmt.Sprintf("row %d: %s", row, en),
			Problems: []Problem{{Row: row, Field: "members", Message: vi, MessageEN: en}}}
	}
	for i, m := range c.Members {
		p, ok := s.Participant(m.Participant)
		switch {
		case !ok:
			return nil, bad(i+1, "không tìm thấy người tham dự.", "participant not found")
		case !p.Entitled():
			return nil, bad(i+1, fmt.Sprintf("%s không phải đại biểu có quyền biểu quyết.", p.Name), fmt.Sprintf("participant %s is not a voting member", p.ID))
		case slices.ContainsFunc(members[:i], func(o BodyMember) bool { return o.Participant == m.Participant }):
			return nil, bad(i+1, fmt.Sprintf("%s đã có trong danh sách.", p.Name), fmt.Sprintf("participant %s is listed twice", p.ID))
		}
		post, err := text("post", "Chức danh", m.Post, MaxName, true)
		if err != nil {
			return nil, bad(i+1, err.(*Error).Message, err.(*Error).MessageEN)
		}
		members[i] = BodyMember{Participant: m.Participant, Post: post}
	}
	if old, ok := s.Body(c.Kind); ok && slices.Equal(old.Members, members) {
		return nil, bodyErr(KindConflict, c.Kind, "Danh sách %s không thay đổi.", "the members of the %s are unchanged")
	}
	for _, p := range s.Polls {
		if p.Body == c.Kind && (p.Status == PollStatusOpen || p.Status == PollStatusClosed) {
			return nil, bodyErr(KindConflict, c.Kind, "Đang biểu quyết thông qua %s; hãy kết thúc và công bố, hoặc hủy cuộc biểu quyết trước khi thay đổi danh sách.",
				"a vote on the %s is under way: close and publish, or cancel it, before changing the members")
		}
	}
	return []Event{newEvent(EventBodyProposed, BodyProposed{Kind: c.Kind, Members: members})}, nil
}

// bodyErr is an error about body k: vi and en each have one %s, filled
// with the body's name in their language.
func bodyErr(kind Kind, k BodyKind, vi, en string) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(vi, T("body."+string(k), "vi")), MessageEN: fmt.Sprintf(en, T("body."+string(k), "en"))}
}

// checkBodyVote validates the Body of a poll spec: only on an open vote, on
// a proposed body not yet approved.
func (s *State) checkBodyVote(p PollSpec) error {
	if p.Body == "" {
		return nil
	}
	if !p.Body.valid() {
		return fieldErr("body", fmt.Sprintf("Cơ quan %q không hợp lệ.", p.Body), fmt.Sprintf("body %q is not valid", p.Body))
	}
	if p.Kind != PollOpen {
		return fieldErr("body", "Các cơ quan của đại hội được thông qua bằng biểu quyết công khai (giơ tay).", "the congress's bodies are approved by an open vote (show of hands)")
	}
	b, ok := s.Body(p.Body)
	if !ok {
		return bodyErr(KindConflict, p.Body, "Chưa có danh sách %s để biểu quyết.", "no members of the %s are proposed yet")
	}
	if b.Approved() {
		return bodyErr(KindConflict, p.Body, "%s đã được biểu quyết thông qua.", "the %s is already approved")
	}
	return nil
}

// bodyApproval returns the body.approved event of publishing poll p, if p
// approves a body and passed.
func (s *State) bodyApproval(p Poll) []Event {
	if p.Body == "" || p.Result == nil || !p.Result.Passed {
		return nil
	}
	if b, ok := s.Body(p.Body); !ok || b.Approved() {
		return nil
	}
	return []Event{newEvent(EventBodyApproved, BodyApproved{Kind: p.Body, Poll: p.ID})}
}

// applyBody folds the body events. ok is false for other events.
func (s *State) applyBody(e Event) (ok bool, err error) {
	switch e.Type {
	case EventBodyProposed:
		var p BodyProposed
		if err := decode(e, &p); err != nil {
			return true, err
		}
		b := Body{Kind: p.Kind, Members: p.Members}
		s.Bodies = slices.Clone(s.Bodies)
		if i := slices.IndexFunc(s.Bodies, func(x Body) bool { return x.Kind == p.Kind }); i >= 0 {
			s.Bodies[i] = b
		} else {
			s.Bodies = append(s.Bodies, b)
			slices.SortStableFunc(s.Bodies, func(x, y Body) int { return slices.Index(BodyKinds, x.Kind) - slices.Index(BodyKinds, y.Kind) })
		}
	case EventBodyApproved:
		var p BodyApproved
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := slices.IndexFunc(s.Bodies, func(x Body) bool { return x.Kind == p.Kind }); i >= 0 {
			s.Bodies = slices.Clone(s.Bodies)
			s.Bodies[i].Poll, s.Bodies[i].ApprovedAt = p.Poll, e.At
		}
	default:
		return false, nil
	}
	return true, nil
}
