package meeting

import (
	"slices"
)

// The congress floor (docs/congress.md): drafts open for written opinions
// and the opinions (floor_drafts.go), discussion groups and their sittings
// (floor_groups.go), written contributions (floor_contributions.go).
//
// Everything lives in State.Floor, nil in a meeting that never used it, so
// the state of every other meeting encodes exactly as before. The commands,
// their permissions and the payloads of their events are registered by
// init below rather than in the tables of command.go, decide.go and
// payload.go: the floor stays in its own files.
//
// A tổ sitting is a meeting of its own, linked to the congress
// (Floor.Link): its participants are the tổ's members with the congress's
// participant IDs, so the membership is the congress's and is never
// changed in the sitting (sittingRefuses).

// Floor is the congress floor of a meeting.
type Floor struct {
	Drafts        []Draft        `json:"drafts,omitempty"`        // in the order they were opened
	Opinions      []Opinion      `json:"opinions,omitempty"`      // in the order they were first given
	Groups        []Group        `json:"groups,omitempty"`        // in the order they were defined
	Contributions []Contribution `json:"contributions,omitempty"` // in the order they were registered

	// In a tổ sitting: the congress it belongs to, the thư ký's notes and
	// the members' written opinions counted when the tổ rose.
	Link    *SittingLink   `json:"link,omitempty"`
	Notes   []Note         `json:"notes,omitempty"`
	Summary []DraftSummary `json:"summary,omitempty"`
}

func (f *Floor) clone() *Floor {
	if f == nil {
		return nil
	}
	c := *f
	c.Drafts = slices.Clone(f.Drafts)
	for i := range c.Drafts {
		c.Drafts[i] = c.Drafts[i].clone()
	}
	c.Opinions = slices.Clone(f.Opinions)
	c.Groups = slices.Clone(f.Groups)
	for i := range c.Groups {
		c.Groups[i] = c.Groups[i].clone()
	}
	c.Contributions = slices.Clone(f.Contributions)
	if f.Link != nil {
		l := f.Link.clone()
		c.Link = &l
	}
	c.Notes = slices.Clone(f.Notes)
	c.Summary = slices.Clone(f.Summary)
	for i := range c.Summary {
		c.Summary[i].Counts = slices.Clone(c.Summary[i].Counts)
	}
	return &c
}

// floor returns s.Floor, making it on first use (only Apply calls it).
func (s *State) floor() *Floor {
	if s.Floor == nil {
		s.Floor = &Floor{}
	}
	return s.Floor
}

// Linked reports whether s is a tổ sitting (a meeting linked to a
// congress), and its link.
func (s *State) Linked() (SittingLink, bool) {
	if s.Floor == nil || s.Floor.Link == nil {
		return SittingLink{}, false
	}
	return *s.Floor.Link, true
}

// init registers the floor's commands, their permissions and their event
// payloads in the package's tables.
func init() {
	for name, mk := range map[string]func() Command{
		"draft.open":       func() Command { return &OpenDraft{} },
		"draft.update":     func() Command { return &UpdateDraft{} },
		"draft.revise":     func() Command { return &ReviseDraft{} },
		"opinion.give":     func() Command { return &GiveOpinion{} },
		"opinion.withdraw": func() Command { return &WithdrawOpinion{} },

		"group.define": func() Command { return &DefineGroup{} },
		"group.remove": func() Command { return &RemoveGroup{} },
		"group.sit":    func() Command { return &SitGroup{} },
		"group.rise":   func() Command { return &RiseGroup{} },

		"sitting.link":    func() Command { return &LinkSitting{} },
		"sitting.note":    func() Command { return &NoteSitting{} },
		"sitting.summary": func() Command { return &SummarizeSitting{} },

		"contribution.register": func() Command { return &RegisterContribution{} },
		"contribution.schedule": func() Command { return &ScheduleContribution{} },
		"contribution.withdraw": func() Command { return &WithdrawContribution{} },
	} {
		commands[name] = mk
	}
	staff := []Role{RoleSecretary, RoleChair}
	for name, roles := range map[string][]Role{
		"draft.open":   staff,
		"draft.update": staff,
		"draft.revise": staff,
		// A delegate gives opinions for themselves (checked by the
		// command); chairs and secretaries who are delegates too.
		"opinion.give":     {RoleSecretary, RoleChair, RoleDelegate},
		"opinion.withdraw": {RoleSecretary, RoleChair, RoleDelegate},

		"group.define": staff,
		"group.remove": staff,
		"group.sit":    staff,
		"group.rise":   staff,

		// The server links a new sitting and counts the members' written
		// opinions when the tổ rises; in the sitting the tổ trưởng (chair)
		// and the thư ký tổ (secretary) keep the notes.
		"sitting.link":    {RoleSystem},
		"sitting.note":    staff,
		"sitting.summary": {RoleSystem},

		// The server registers a contribution once its text is stored;
		// the presidium (delegates who are members of it, checked by the
		// command) and the secretariat schedule; the author withdraws.
		"contribution.register": {RoleSystem},
		"contribution.schedule": {RoleSecretary, RoleChair, RoleDelegate},
		"contribution.withdraw": {RoleSecretary, RoleChair, RoleDelegate},
	} {
		permissions[name] = roles
	}
	for typ, mk := range map[string]func() any{
		EventDraftOpened:            func() any { return &Draft{} },
		EventDraftUpdated:           func() any { return &DraftUpdated{} },
		EventDraftRevised:           func() any { return &DraftRevised{} },
		EventOpinionGiven:           func() any { return &Opinion{} },
		EventOpinionWithdrawn:       func() any { return &OpinionRef{} },
		EventOpinionTallied:         func() any { return &OpinionTally{} },
		EventOpinionDisclosed:       func() any { return &OpinionsDisclosed{} },
		EventGroupDefined:           func() any { return &Group{} },
		EventGroupRemoved:           func() any { return &GroupRef{} },
		EventGroupSat:               func() any { return &GroupSat{} },
		EventGroupRose:              func() any { return &GroupRef{} },
		EventSittingLinked:          func() any { return &SittingLink{} },
		EventSittingNoted:           func() any { return &Note{} },
		EventSittingSummarized:      func() any { return &SittingSummary{} },
		EventContributionRegistered: func() any { return &ContributionRegistered{} },
		EventContributionScheduled:  func() any { return &ContributionScheduled{} },
		EventContributionWithdrawn:  func() any { return &ContributionRef{} },
	} {
		payloads[typ] = mk
	}
}

// applyFloor folds the floor's events; ok is false for other events.
func (s *State) applyFloor(e Event) (ok bool, err error) {
	if ok, err := s.applyDrafts(e); ok {
		return true, err
	}
	if ok, err := s.applyGroups(e); ok {
		return true, err
	}
	return s.applyContributions(e)
}

// viewFloor filters the floor of c (a clone of s) for viewer v: the
// opinions v may not see (docs/congress.md, "Who sees what").
func viewFloor(s, c *State, v Viewer) {
	if c.Floor == nil || len(c.Floor.Opinions) == 0 {
		return
	}
	c.Floor.Opinions = nilIfEmpty(slices.DeleteFunc(c.Floor.Opinions, func(o Opinion) bool { return !s.canSeeOpinion(o, v) }))
}

// nilIfEmpty returns nil for an empty list: the floor's lists are nil when
// empty, in the server's state, in every view and in every replica alike.
func nilIfEmpty[T any](l []T) []T {
	if len(l) == 0 {
		return nil
	}
	return l
}

// personalFloor reports whether v's view of the floor depends on who v is:
// v is an author, or a reader of a draft, who is not staff.
func personalFloor(s *State, v Viewer) bool {
	if s.Floor == nil || v.Participant == "" {
		return false
	}
	for _, o := range s.Floor.Opinions {
		if o.Participant == v.Participant {
			return true
		}
	}
	for _, d := range s.Floor.Drafts {
		if slices.Contains(d.Readers, v.Participant) {
			return true
		}
	}
	return false
}

// sittingRefuses refuses, in a tổ sitting, the commands that would change
// its membership (the congress's) or that belong to the congress.
func (s *State) sittingRefuses(c Command) error {
	if _, ok := s.Linked(); !ok {
		return nil
	}
	switch c.(type) {
	case *AddParticipant, *ImportParticipants, *UpdateParticipant, *RemoveParticipant,
		*OpenDraft, *UpdateDraft, *ReviseDraft, *GiveOpinion, *WithdrawOpinion,
		*DefineGroup, *RemoveGroup, *SitGroup, *RiseGroup, *LinkSitting,
		*RegisterContribution, *ScheduleContribution, *WithdrawContribution:
		return Errorf(KindConflict, "Đây là phiên thảo luận của tổ: thành viên, dự thảo, góp ý và tham luận thuộc về đại hội, không thay đổi ở đây (lệnh %s).",
			"this is a discussion group's sitting: members, drafts, opinions and contributions belong to the congress and do not change here (%s)", c.Name())
	}
	return nil
}

// presidium reports whether participant pid is a member of the presidium,
// approved or only proposed.
func (s *State) presidium(pid string) bool {
	b, ok := s.Body(BodyPresidium)
	return ok && pid != "" && b.Has(pid)
}
