package meeting

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"
)

// Event is one durable change of a meeting. Events of a meeting carry gapless
// sequence numbers from 1 and form a hash chain: Prev is the Hash of the
// event before (empty for the first) and Hash covers every other field.
type Event struct {
	Meeting  string          `json:"meeting"`
	Seq      int64           `json:"seq"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"` // "account:NAME", "participant:ID" or "system"
	Type     string          `json:"type"`
	Data     json.RawMessage `json:"data,omitempty"`
	Audience Audience        `json:"audience,omitzero"`
	Prev     string          `json:"prev"`
	Hash     string          `json:"hash"`
	// Roll is not part of the event: the server adds it to an event it
	// sends a lean viewer (lean.go, Event.For) when the event changes the
	// roll call. It is neither hashed nor stored.
	Roll *Roll `json:"roll,omitempty"`
}

// Audience says who may receive an event. The zero Audience is everyone in
// the meeting. Otherwise a viewer is included if its role is listed or it is
// one of the listed participants.
type Audience struct {
	Roles        []Role   `json:"roles,omitempty"`
	Participants []string `json:"participants,omitempty"`
}

// Everyone reports whether a is the audience of all viewers.
func (a Audience) Everyone() bool { return len(a.Roles) == 0 && len(a.Participants) == 0 }

// Includes reports whether viewer v is in audience a.
func (a Audience) Includes(v Viewer) bool {
	if a.Everyone() {
		return true
	}
	return slices.Contains(a.Roles, v.Role) || (v.Participant != "" && slices.Contains(a.Participants, v.Participant))
}

// staffAudience is the audience of events only the secretariat sees.
var staffAudience = Audience{Roles: []Role{RoleSecretary, RoleChair}}

// EventHidden is the type of the placeholder a viewer receives in place of
// an event outside its audience: it carries only Seq, Prev and Hash, so the
// viewer's sequence stays gapless (it can detect loss) while learning nothing
// of the content.
const EventHidden = "hidden"

// Hidden returns the placeholder of e for viewers outside its audience.
func (e Event) Hidden() Event {
	return Event{Meeting: e.Meeting, Seq: e.Seq, Type: EventHidden, Prev: e.Prev, Hash: e.Hash}
}

// ComputeHash returns the chain hash of e: SHA-256 over a length-prefixed
// encoding of every field except Hash. Length prefixes make the encoding
// unambiguous (no two different events encode the same).
func ComputeHash(e Event) string {
	h := sha256.New()
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	binary.BigEndian.PutUint64(n[:], uint64(e.Seq))
	h.Write(n[:])
	field([]byte(e.Meeting))
	field([]byte(e.At.UTC().Format(time.RFC3339Nano)))
	field([]byte(e.Actor))
	field([]byte(e.Type))
	field(e.Data)
	aud, _ := json.Marshal(e.Audience) // cannot fail: strings only
	field(aud)
	field([]byte(e.Prev))
	return hex.EncodeToString(h.Sum(nil))
}

// Seal numbers events as the successors of (seq, head) and chains their
// hashes. It is called by Decide; the log checks the result on append.
func Seal(seq int64, head string, events []Event) {
	for i := range events {
		seq++
		events[i].Seq = seq
		events[i].Prev = head
		events[i].Hash = ComputeHash(events[i])
		head = events[i].Hash
	}
}

// VerifyChain checks that events are gapless from 1 (or from the first
// event's Seq when it follows prev), each Prev equals the previous Hash and
// each Hash is correct. It returns the index of the first bad event and an
// error, or (-1, nil).
func VerifyChain(prevSeq int64, prev string, events []Event) (int, error) {
	for i, e := range events {
		switch {
		case e.Seq != prevSeq+1:
			return i, Errorf(KindInternal, "Chuỗi sự kiện bị đứt ở số %d (mong đợi %d).", "event chain has a gap at seq %d (want %d)", e.Seq, prevSeq+1)
		case e.Prev != prev:
			return i, Errorf(KindInternal, "Sự kiện số %d không nối với sự kiện trước.", "event %d does not link to its predecessor", e.Seq)
		case e.Hash != ComputeHash(e):
			return i, Errorf(KindInternal, "Sự kiện số %d đã bị thay đổi (sai mã băm).", "event %d was altered (hash mismatch)", e.Seq)
		}
		prevSeq, prev = e.Seq, e.Hash
	}
	return -1, nil
}

// Event types. The payload of each is the struct named in its comment.
const (
	EventMeetingCreated     = "meeting.created"     // Details
	EventMeetingUpdated     = "meeting.updated"     // Details
	EventMeetingOpened      = "meeting.opened"      // none
	EventMeetingPaused      = "meeting.paused"      // none
	EventMeetingResumed     = "meeting.resumed"     // none
	EventMeetingClosed      = "meeting.closed"      // none
	EventItemAdded          = "agenda.item_added"   // ItemAdded
	EventItemRenamed        = "agenda.item_renamed" // ItemRenamed
	EventItemMoved          = "agenda.item_moved"   // ItemMoved
	EventItemRemoved        = "agenda.item_removed" // ItemRef
	EventItemDone           = "agenda.item_done"    // ItemDone
	EventCurrentSet         = "agenda.current_set"  // ItemRef (ID "" clears)
	EventParticipantAdded   = "participant.added"   // Participant
	EventParticipantUpdated = "participant.updated" // Participant
	EventParticipantRemoved = "participant.removed" // ParticipantRef
	EventParticipantPaired  = "participant.paired"  // ParticipantRef; staff only
	EventNoticeSent         = "notice.sent"         // Notice; private notices go to their addressee and staff

	EventMeetingConfigured = "meeting.configured" // Settings

	EventCheckedIn        = "attendance.checked_in"  // AttendanceChanged
	EventAttendanceMarked = "attendance.marked"      // AttendanceChanged
	EventCheckedOut       = "attendance.checked_out" // ParticipantRef

	EventSpeakerRequested = "speaker.requested"      // SpeakerRequested
	EventSpeakerWithdrawn = "speaker.withdrawn"      // RequestRef
	EventSpeakerMoved     = "speaker.moved"          // RequestMoved
	EventFloorGiven       = "speaker.floor_given"    // Speech (ID "s<seq>"; the clock starts at the event's time)
	EventSpeechEnded      = "speaker.ended"          // SpeechClock
	EventTimerPaused      = "speaker.timer_paused"   // SpeechClock
	EventTimerResumed     = "speaker.timer_resumed"  // SpeechRef
	EventSpeechLimitSet   = "speaker.limit_set"      // SpeechLimit
	EventItemLimitSet     = "speaker.item_limit_set" // ItemLimit
	EventListClosed       = "speaker.list_closed"    // ItemRef
	EventListReopened     = "speaker.list_reopened"  // ItemRef

	EventPollCreated   = "poll.created"   // PollDefined
	EventPollUpdated   = "poll.updated"   // PollDefined
	EventPollOpened    = "poll.opened"    // PollOpened
	EventPollVoted     = "poll.voted"     // Voted; one per batch of the ballot box; for a secret poll staff only, never the choice
	EventPollProgress  = "poll.progress"  // PollProgress (secret polls: how many voted)
	EventPollClosed    = "poll.closed"    // PollRef
	EventPollCounted   = "poll.counted"   // PollResult; staff only
	EventPollPublished = "poll.published" // PollResult
	EventPollCancelled = "poll.cancelled" // PollCancelled

	EventDocumentAdded        = "document.added"         // Document; to the document's audience
	EventDocumentVersionAdded = "document.version_added" // VersionAdded; to the document's audience
	EventDocumentUpdated      = "document.updated"       // Document (the whole document); to its new audience
	EventDocumentRevoked      = "document.revoked"       // DocumentRevoked; to the old audience, after a narrowing document.updated
	EventDocumentDownloaded   = "document.downloaded"    // Downloads; staff only

	EventMinutesConcluded  = "minutes.concluded"  // Conclusion; staff only (everyone learns the conclusions from minutes.finalized)
	EventMinutesFinalized  = "minutes.finalized"  // MinutesFinalized
	EventMinutesCorrected  = "minutes.corrected"  // Correction
	EventDocumentPresented = "document.presented" // Presentation; to the document's audience (document_id "" stops presenting, to the audience of the document that was shown)

	EventSupportRequested = "support.requested" // SupportRequested (ID "h<seq>"); staff and the requester
	EventSupportResolved  = "support.resolved"  // SupportRef; staff and the requester

	EventBodyProposed = "body.proposed" // BodyProposed
	EventBodyApproved = "body.approved" // BodyApproved

	// Paper counting (paper.go).
	EventPaperTechnicians = "paper.technicians_named" // TechniciansNamed
	EventPaperCounts      = "paper.counts_recorded"   // PaperCounts
	EventPaperEntered     = "paper.entered"           // PaperAct; the secretariat and the operator
	EventPaperUndone      = "paper.undone"            // PaperAct; the secretariat and the operator
	EventPaperFinished    = "paper.bundle_finished"   // PaperAct (no marks)
	EventPaperDecided     = "paper.decided"           // PaperAct; the secretariat and the committee member
)

// ItemAdded is the payload of agenda.item_added. Position is 1-based.
type ItemAdded struct {
	Item     Item `json:"item"`
	Position int  `json:"position"`
}

// ItemRenamed is the payload of agenda.item_renamed.
type ItemRenamed struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Presenter string `json:"presenter,omitempty"`
}

// ItemMoved is the payload of agenda.item_moved. Position is 1-based.
type ItemMoved struct {
	ID       string `json:"id"`
	Position int    `json:"position"`
}

// ItemRef names an agenda item.
type ItemRef struct {
	ID string `json:"id"`
}

// ItemDone is the payload of agenda.item_done.
type ItemDone struct {
	ID   string `json:"id"`
	Done bool   `json:"done"`
}

// ParticipantRef names a participant.
type ParticipantRef struct {
	ID string `json:"id"`
}

// newEvent builds an unsealed event with payload p encoded as JSON.
func newEvent(typ string, p any) Event {
	e := Event{Type: typ}
	if p != nil {
		b, err := json.Marshal(p)
		if err != nil {
			panic("meeting: payload does not encode: " + err.Error()) // programming error: payloads are plain structs
		}
		e.Data = b
	}
	return e
}

// ---- The congress floor (issue 20; docs/congress.md; floor*.go). ----

// Event types of the congress floor. The payload of each is the struct
// named in its comment.
const (
	EventDraftOpened      = "draft.opened"      // Draft (without counts)
	EventDraftUpdated     = "draft.updated"     // DraftUpdated
	EventDraftRevised     = "draft.revised"     // DraftRevised
	EventOpinionGiven     = "opinion.given"     // Opinion; to the secretariat, the draft's readers and the author (anonymous draft: the author only)
	EventOpinionWithdrawn = "opinion.withdrawn" // OpinionRef; to the same audience
	EventOpinionTallied   = "opinion.tallied"   // OpinionTally: the new counts of the sections that changed
	EventOpinionDisclosed = "opinion.disclosed" // OpinionsDisclosed; to readers just added: the opinions given so far

	EventGroupDefined = "group.defined" // Group
	EventGroupRemoved = "group.removed" // GroupRef
	EventGroupSat     = "group.sat"     // GroupSat: a sitting of the tổ began, in a meeting of its own
	EventGroupRose    = "group.rose"    // GroupRef: the sitting ended

	EventSittingLinked     = "sitting.linked"     // SittingLink; in a sitting: its congress, tổ and officers
	EventSittingNoted      = "sitting.noted"      // Note; the thư ký's notes
	EventSittingSummarized = "sitting.summarized" // SittingSummary: the members' written opinions when the tổ rose

	EventContributionRegistered = "contribution.registered" // ContributionRegistered
	EventContributionScheduled  = "contribution.scheduled"  // ContributionScheduled
	EventContributionWithdrawn  = "contribution.withdrawn"  // ContributionRef
)
