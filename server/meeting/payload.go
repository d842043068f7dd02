package meeting

import "encoding/json"

// payloads maps each event type to a constructor of its payload type (nil
// for events without a payload). A test checks it against the constants of
// event.go and their comments.
var payloads = map[string]func() any{
	EventMeetingCreated:     func() any { return &Details{} },
	EventMeetingUpdated:     func() any { return &Details{} },
	EventMeetingOpened:      nil,
	EventMeetingPaused:      nil,
	EventMeetingResumed:     nil,
	EventMeetingClosed:      nil,
	EventItemAdded:          func() any { return &ItemAdded{} },
	EventItemRenamed:        func() any { return &ItemRenamed{} },
	EventItemMoved:          func() any { return &ItemMoved{} },
	EventItemRemoved:        func() any { return &ItemRef{} },
	EventItemDone:           func() any { return &ItemDone{} },
	EventCurrentSet:         func() any { return &ItemRef{} },
	EventParticipantAdded:   func() any { return &Participant{} },
	EventParticipantUpdated: func() any { return &Participant{} },
	EventParticipantRemoved: func() any { return &ParticipantRef{} },
	EventParticipantPaired:  func() any { return &ParticipantRef{} },
	EventNoticeSent:         func() any { return &Notice{} },
	EventMeetingConfigured:  func() any { return &Settings{} },
	EventCheckedIn:          func() any { return &AttendanceChanged{} },
	EventAttendanceMarked:   func() any { return &AttendanceChanged{} },
	EventCheckedOut:         func() any { return &ParticipantRef{} },
	EventSpeakerRequested:   func() any { return &SpeakerRequested{} },
	EventSpeakerWithdrawn:   func() any { return &RequestRef{} },
	EventSpeakerMoved:       func() any { return &RequestMoved{} },
	EventFloorGiven:         func() any { return &Speech{} },
	EventSpeechEnded:        func() any { return &SpeechClock{} },
	EventTimerPaused:        func() any { return &SpeechClock{} },
	EventTimerResumed:       func() any { return &SpeechRef{} },
	EventSpeechLimitSet:     func() any { return &SpeechLimit{} },
	EventItemLimitSet:       func() any { return &ItemLimit{} },
	EventListClosed:         func() any { return &ItemRef{} },
	EventListReopened:       func() any { return &ItemRef{} },
	EventPollCreated:        func() any { return &PollDefined{} },
	EventPollUpdated:        func() any { return &PollDefined{} },
	EventPollOpened:         func() any { return &PollOpened{} },
	EventPollVoted:          func() any { return &Voted{} },
	EventPollProgress:       func() any { return &PollProgress{} },
	EventPollClosed:         func() any { return &PollRef{} },
	EventPollCounted:        func() any { return &PollResult{} },
	EventPollPublished:      func() any { return &PollResult{} },
	EventPollCancelled:      func() any { return &PollCancelled{} },

	EventDocumentAdded:        func() any { return &Document{} },
	EventDocumentVersionAdded: func() any { return &VersionAdded{} },
	EventDocumentUpdated:      func() any { return &Document{} },
	EventDocumentRevoked:      func() any { return &DocumentRevoked{} },
	EventDocumentDownloaded:   func() any { return &Downloads{} },

	EventMinutesConcluded:  func() any { return &Conclusion{} },
	EventMinutesFinalized:  func() any { return &MinutesFinalized{} },
	EventMinutesCorrected:  func() any { return &Correction{} },
	EventDocumentPresented: func() any { return &Presentation{} },

	EventSupportRequested: func() any { return &SupportRequested{} },
	EventSupportResolved:  func() any { return &SupportRef{} },

	EventBodyProposed: func() any { return &BodyProposed{} },
	EventBodyApproved: func() any { return &BodyApproved{} },

	EventPaperTechnicians: func() any { return &TechniciansNamed{} },
	EventPaperCounts:      func() any { return &PaperCounts{} },
	EventPaperEntered:     func() any { return &PaperAct{} },
	EventPaperUndone:      func() any { return &PaperAct{} },
	EventPaperFinished:    func() any { return &PaperAct{} },
	EventPaperDecided:     func() any { return &PaperAct{} },
}

// Payload decodes e's data into its typed payload: a pointer to the struct
// named for e.Type in event.go (for example *ItemAdded for
// agenda.item_added), or nil for events without one (and for hidden
// placeholders). It returns an Invalid error for an unknown type or data
// that does not decode. Clients use it to react to events ("typed events");
// the fold (Apply) does not need it.
func (e Event) Payload() (any, error) {
	if e.Type == EventHidden {
		return nil, nil
	}
	mk, ok := payloads[e.Type]
	if !ok {
		return nil, Errorf(KindInvalid, "Loại sự kiện không xác định: %q.", "unknown event type %q", e.Type)
	}
	if mk == nil {
		return nil, nil
	}
	p := mk()
	if err := json.Unmarshal(e.Data, p); err != nil {
		return nil, Errorf(KindInvalid, "Dữ liệu của sự kiện %s không đọc được.", "the data of event %s does not decode", e.Type)
	}
	return p, nil
}
