package meeting

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Threshold is a fraction that a count must reach over a base: "more than
// 1/2" (AtLeast false) or "at least 2/3" (AtLeast true). Outcomes are decided
// on integers (votes·Den > Num·base, or ≥), never on rounded percentages.
type Threshold struct {
	Num     int  `json:"num"`
	Den     int  `json:"den"`
	AtLeast bool `json:"at_least,omitempty"`
}

// MoreThanHalf is the default threshold of a poll: more than 1/2.
var MoreThanHalf = Threshold{Num: 1, Den: 2}

// Reached reports whether count reaches t over base. Nothing is reached over
// an empty base.
func (t Threshold) Reached(count, base int) bool {
	if base <= 0 || t.Den <= 0 {
		return false
	}
	if t.AtLeast {
		return count*t.Den >= t.Num*base
	}
	return count*t.Den > t.Num*base
}

// Required returns the smallest count that reaches t over base (for an empty
// base: 0 for "at least", 1 for "more than"; Reached is false anyway).
func (t Threshold) Required(base int) int {
	if t.Den <= 0 {
		return 0
	}
	if t.AtLeast {
		return (t.Num*base + t.Den - 1) / t.Den
	}
	return t.Num*base/t.Den + 1
}

// String renders t in English ("more than 1/2", "at least 2/3").
func (t Threshold) String() string {
	if t.AtLeast {
		return fmt.Sprintf("at least %d/%d", t.Num, t.Den)
	}
	return fmt.Sprintf("more than %d/%d", t.Num, t.Den)
}

// VI renders t in Vietnamese ("trên 1/2", "từ 2/3 trở lên").
func (t Threshold) VI() string {
	if t.AtLeast {
		return fmt.Sprintf("từ %d/%d trở lên", t.Num, t.Den)
	}
	return fmt.Sprintf("trên %d/%d", t.Num, t.Den)
}

// HalfNotMore reports whether t is "at least 1/2" (≥ 1/2), which Party
// rules do not use: a Party election or resolution needs more than half
// ("quá 1/2", docs/rules.md §2). The minutes and the console warn about it.
func (t Threshold) HalfNotMore() bool { return t.AtLeast && t.Den > 0 && 2*t.Num == t.Den }

// MaxDen bounds the denominator of a threshold.
const MaxDen = 1000

func (t Threshold) validate(field string) error {
	switch {
	case t.Den < 1 || t.Den > MaxDen:
		return fieldErr(field, fmt.Sprintf("Mẫu số của tỷ lệ phải từ 1 đến %d.", MaxDen), fmt.Sprintf("the denominator must be between 1 and %d", MaxDen))
	case t.Num < 1 || t.Num > t.Den:
		return fieldErr(field, "Tử số của tỷ lệ phải từ 1 đến mẫu số.", "the numerator must be between 1 and the denominator")
	case t.Num == t.Den && !t.AtLeast:
		return fieldErr(field, "Không thể yêu cầu trên 100%.", "a count cannot be more than the whole base")
	}
	return nil
}

// Percent is a percentage in hundredths of a percent, rounded half up:
// 6667 is 66.67%. Percentages are for display; outcomes are decided on
// integers.
type Percent int

// PercentOf returns part/whole as a Percent, rounded half up to two
// decimals (0 for an empty whole).
func PercentOf(part, whole int) Percent {
	if whole <= 0 {
		return 0
	}
	return Percent((2*part*10000 + whole) / (2 * whole))
}

// PercentsOf returns each count as a Percent of whole. Without adjust each
// is PercentOf(count, whole), exact to the hundredth as the Party layout
// prints it. With adjust (the state rule, docs/rules.md §4: two decimals, round
// half up, adjust to total 100%), when the counts add up to whole, they
// are apportioned so that they total exactly 100.00%: each is rounded down
// to the hundredth, then the hundredths left go one each to the counts with
// the largest remainders (earlier first on equal remainders). Counts that
// do not add up to whole (a base that is not their sum) are never adjusted.
func PercentsOf(counts []int, whole int, adjust bool) []Percent {
	out := make([]Percent, len(counts))
	sum := 0
	for i, c := range counts {
		out[i] = PercentOf(c, whole)
		sum += c
	}
	if !adjust || whole <= 0 || sum != whole {
		return out
	}
	rem := make([]int, len(counts))
	left := 10000
	for i, c := range counts {
		out[i] = Percent(c * 10000 / whole)
		rem[i] = c * 10000 % whole
		left -= int(out[i])
	}
	order := make([]int, len(counts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rem[b] - rem[a] })
	for k := 0; k < left; k++ {
		out[order[k%len(order)]]++
	}
	return out
}

// String renders p with a decimal point: "66.67%".
func (p Percent) String() string { return fmt.Sprintf("%d.%02d%%", int(p)/100, int(p)%100) }

// VI renders p the Vietnamese way, with a decimal comma: "66,67%".
func (p Percent) VI() string { return fmt.Sprintf("%d,%02d%%", int(p)/100, int(p)%100) }

// QuorumBase is what a quorum is counted on.
type QuorumBase string

// The quorum bases.
const (
	// QuorumOfEntitled counts on every summoned member who counts (the
	// default: "at least 2/3 of those summoned", docs/rules.md §1).
	QuorumOfEntitled QuorumBase = "entitled"
	// QuorumOfSummoned counts on those summoned minus those excused
	// (the base of Party majorities, docs/rules.md §2).
	QuorumOfSummoned QuorumBase = "summoned"
)

// QuorumRule is a meeting's quorum: a threshold over a base.
type QuorumRule struct {
	Threshold
	Base QuorumBase `json:"base"`
}

// TieRule is what happens when candidates tie for the last seat.
type TieRule string

// The tie rules (docs/rules.md §4; the rule is unsure, hence a setting).
const (
	TieRevote TieRule = "revote" // re-vote among the tied (default, Party practice)
	TieElder  TieRule = "elder"  // the elder wins (state practice), when birth dates tell
)

// ExcellentCap caps "hoàn thành xuất sắc nhiệm vụ" at Percent of the number
// rated "hoàn thành tốt nhiệm vụ" (docs/rules.md §5). An exceeded cap is reported
// as a flag; results are never changed.
type ExcellentCap struct {
	Enabled bool `json:"enabled"`
	Percent int  `json:"percent"`
}

// PollRules are the meeting's settings that decide how ballots count. A
// poll takes a copy when it opens, so changing the settings later never
// changes a vote already taken.
type PollRules struct {
	TieRule      TieRule      `json:"tie_rule"`
	ExcellentCap ExcellentCap `json:"excellent_cap"`
	// EmptyElectionBallotInvalid: a ballot that keeps nobody on a
	// multi-name list with surplus is invalid (docs/rules.md §4, unsure).
	EmptyElectionBallotInvalid bool `json:"empty_election_ballot_invalid"`
	// SurplusCap is the largest surplus of an election list, in percent of
	// the seats: a list may name at most seats + seats·SurplusCap/100
	// people (rounded down), and always at least one more than the seats
	// (the rules also ask for a surplus of at least 10%, which for fewer
	// than ten seats is one person: a list of three for two seats is a
	// list with surplus, not a breach). The rules set at most 30%
	// (docs/rules.md §4); a congress may decide a smaller surplus, never a
	// larger one, so the setting is 1..30 and 0 means the rules' 30%.
	SurplusCap int `json:"surplus_cap,omitempty"`
	// PaperEntries is how many times each paper ballot is keyed, on
	// different stations by different operators (docs/rules.md §8): 2 or 3;
	// 0 means 3 (Entries).
	PaperEntries int `json:"paper_entries,omitempty"`
}

// MaxSurplusPercent is the largest surplus of an election list the rules
// allow, in percent of the seats (docs/rules.md §4).
const MaxSurplusPercent = 30

// Surplus returns the surplus cap of r in percent (MaxSurplusPercent when
// not set).
func (r PollRules) Surplus() int {
	if r.SurplusCap <= 0 || r.SurplusCap > MaxSurplusPercent {
		return MaxSurplusPercent
	}
	return r.SurplusCap
}

// MaxSurplus returns the largest surplus of a list for seats under a cap
// of capPct percent: seats·capPct/100 rounded down, and at least one.
func MaxSurplus(seats, capPct int) int { return max(1, capPct*seats/100) }

// checkSurplus returns an error when a list of n names for seats has more
// surplus than MaxSurplus allows.
func checkSurplus(n, seats, capPct int) error {
	extra := n - seats
	most := MaxSurplus(seats, capPct)
	if extra <= most {
		return nil
	}
	return fieldErr("candidates",
		fmt.Sprintf("Danh sách có %d người để bầu %d: số dư %d người (%s) vượt quá %d%% số lượng cần bầu; danh sách có số dư được tối đa %d người (dư %d).",
			n, seats, extra, PercentOf(extra, seats).VI(), capPct, seats+most, most),
		fmt.Sprintf("the list names %d people for %d seats: a surplus of %d (%s) is more than %d%% of the seats; a list with surplus may name at most %d (%d more than the seats)",
			n, seats, extra, PercentOf(extra, seats), capPct, seats+most, most))
}

// Settings are a meeting's procedural settings (meeting.configure). Where
// docs/rules.md is unsure, the default is the rule it states.
type Settings struct {
	Sites        []string      `json:"sites"`         // linked sites (điểm cầu), by name
	Quorum       QuorumRule    `json:"quorum"`        // default at least 2/3 of those entitled
	LateGrace    time.Duration `json:"late_grace"`    // a check-in later than opening + this is late (default 15 min)
	SpeakingTime time.Duration `json:"speaking_time"` // default limit of a speech; 0 means none (default 5 min)
	Polls        PollRules     `json:"polls"`
	// Layout is whose rules and record layout the meeting follows: a Party
	// body's (LayoutParty, HD 36; the default when empty) or a state
	// body's (LayoutState, NĐ 30). It is the minutes' layout unless the
	// finalisation names another, and it makes a Party poll with "at least
	// 1/2" a warning (HalfNotMore).
	Layout MinutesLayout `json:"layout,omitempty"`
	// TimeZone is the IANA name of the zone every time of the meeting is
	// shown and printed in; empty means DefaultTimeZone (Zone). Events
	// keep UTC.
	TimeZone string `json:"time_zone,omitempty"`
}

// DefaultTimeZone is the time zone of a meeting unless configured.
const DefaultTimeZone = "Asia/Ho_Chi_Minh"

// Rules returns the meeting's layout (LayoutParty when not set).
func (s Settings) Rules() MinutesLayout {
	if s.Layout == "" {
		return LayoutParty
	}
	return s.Layout
}

// Zone returns the meeting's time zone name (DefaultTimeZone when not set,
// as in logs older than the setting).
func (s Settings) Zone() string {
	if s.TimeZone == "" {
		return DefaultTimeZone
	}
	return s.TimeZone
}

// The default settings.
const (
	DefaultLateGrace    = 15 * time.Minute
	DefaultSpeakingTime = 5 * time.Minute
	DefaultCapPercent   = 20
)

// DefaultSettings returns the settings of a new meeting.
func DefaultSettings() Settings {
	return Settings{
		Sites:        []string{},
		Quorum:       QuorumRule{Threshold: Threshold{Num: 2, Den: 3, AtLeast: true}, Base: QuorumOfEntitled},
		LateGrace:    DefaultLateGrace,
		SpeakingTime: DefaultSpeakingTime,
		Polls:        DefaultPollRules(),
	}
}

// DefaultPollRules returns the default rules of counting.
func DefaultPollRules() PollRules {
	return PollRules{TieRule: TieRevote, ExcellentCap: ExcellentCap{Enabled: true, Percent: DefaultCapPercent}, EmptyElectionBallotInvalid: true}
}

func (s Settings) clone() Settings {
	s.Sites = slices.Clone(s.Sites)
	return s
}

func (s Settings) equal(o Settings) bool {
	return slices.Equal(s.Sites, o.Sites) && s.Quorum == o.Quorum && s.LateGrace == o.LateGrace && s.SpeakingTime == o.SpeakingTime && s.Polls == o.Polls &&
		s.Zone() == o.Zone() && s.Rules() == o.Rules()
}

// HasSite reports whether name is one of the linked sites.
func (s Settings) HasSite(name string) bool { return slices.Contains(s.Sites, name) }

// Limits of the settings.
const (
	MaxSites        = 100
	MaxLateGrace    = 4 * time.Hour
	MaxSpeakingTime = 4 * time.Hour
)

// Configure changes the meeting's settings. Only the fields given change.
// Durations are given in seconds.
type Configure struct {
	Sites                      *[]string      `json:"sites,omitempty"`
	Quorum                     *QuorumRule    `json:"quorum,omitempty"`
	LateGraceSeconds           *int           `json:"late_grace_seconds,omitempty"`
	SpeakingSeconds            *int           `json:"speaking_seconds,omitempty"`
	TieRule                    *TieRule       `json:"tie_rule,omitempty"`
	ExcellentCap               *ExcellentCap  `json:"excellent_cap,omitempty"`
	EmptyElectionBallotInvalid *bool          `json:"empty_election_ballot_invalid,omitempty"`
	SurplusCap                 *int           `json:"surplus_cap,omitempty"`
	TimeZone                   *string        `json:"time_zone,omitempty"`
	Layout                     *MinutesLayout `json:"layout,omitempty"`
	PaperEntries               *int           `json:"paper_entries,omitempty"`
}

// Name implements Command.
func (*Configure) Name() string { return "meeting.configure" }

func (c *Configure) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if c.Sites == nil && c.Quorum == nil && c.LateGraceSeconds == nil && c.SpeakingSeconds == nil && c.TieRule == nil && c.ExcellentCap == nil &&
		c.EmptyElectionBallotInvalid == nil && c.SurplusCap == nil && c.TimeZone == nil && c.Layout == nil && c.PaperEntries == nil {
		return nil, Errorf(KindInvalid, "Chưa có thiết lập nào để thay đổi.", "no setting given")
	}
	n := s.Settings.clone()
	if c.Sites != nil {
		sites := []string{}
		if len(*c.Sites) > MaxSites {
			return nil, fieldErr("sites", fmt.Sprintf("Không được quá %d điểm cầu.", MaxSites), fmt.Sprintf("at most %d sites", MaxSites))
		}
		for i, name := range *c.Sites {
			t, err := text("sites", "Tên điểm cầu", name, MaxName, false)
			if err != nil {
				e := err.(*Error)
				e.Problems[0].Row = i + 1
				return nil, e
			}
			if slices.ContainsFunc(sites, func(x string) bool { return strings.EqualFold(x, t) }) {
				return nil, &Error{Kind: KindInvalid, Message: fmt.Sprintf("Điểm cầu %q bị trùng.", t), MessageEN: fmt.Sprintf("site %q is listed twice", t),
					Problems: []Problem{{Row: i + 1, Field: "sites", Message: "Tên điểm cầu bị trùng.", MessageEN: "duplicate site"}}}
			}
			sites = append(sites, t)
		}
		for _, old := range s.Settings.Sites {
			if slices.Contains(sites, old) {
				continue
			}
			for _, p := range s.Participants {
				if at := s.Attendance[p.ID]; at.In() && at.Status == AttendanceRemote && at.Site == old {
					return nil, Errorf(KindConflict, "Không thể bỏ điểm cầu %q: %s đang dự tại đó.", "cannot remove site %q: %q attends there", old, p.Name)
				}
			}
		}
		n.Sites = sites
	}
	if c.Quorum != nil {
		q := *c.Quorum
		if q.Base == "" {
			q.Base = QuorumOfEntitled
		}
		if q.Base != QuorumOfEntitled && q.Base != QuorumOfSummoned {
			return nil, fieldErr("quorum.base", fmt.Sprintf("Cơ sở tính số lượng %q không hợp lệ.", q.Base), fmt.Sprintf("quorum base %q is not valid", q.Base))
		}
		if err := q.Threshold.validate("quorum"); err != nil {
			return nil, err
		}
		n.Quorum = q
	}
	if c.LateGraceSeconds != nil {
		d, err := seconds("late_grace_seconds", *c.LateGraceSeconds, MaxLateGrace)
		if err != nil {
			return nil, err
		}
		n.LateGrace = d
	}
	if c.SpeakingSeconds != nil {
		d, err := seconds("speaking_seconds", *c.SpeakingSeconds, MaxSpeakingTime)
		if err != nil {
			return nil, err
		}
		n.SpeakingTime = d
	}
	if c.TieRule != nil {
		if *c.TieRule != TieRevote && *c.TieRule != TieElder {
			return nil, fieldErr("tie_rule", fmt.Sprintf("Cách xử lý bằng phiếu %q không hợp lệ.", *c.TieRule), fmt.Sprintf("tie rule %q is not valid", *c.TieRule))
		}
		n.Polls.TieRule = *c.TieRule
	}
	if c.ExcellentCap != nil {
		cp := *c.ExcellentCap
		if cp.Percent == 0 {
			cp.Percent = n.Polls.ExcellentCap.Percent
		}
		if cp.Percent < 1 || cp.Percent > 100 {
			return nil, fieldErr("excellent_cap.percent", "Tỷ lệ khống chế phải từ 1 đến 100.", "the cap must be between 1 and 100 percent")
		}
		n.Polls.ExcellentCap = cp
	}
	if c.EmptyElectionBallotInvalid != nil {
		n.Polls.EmptyElectionBallotInvalid = *c.EmptyElectionBallotInvalid
	}
	if c.SurplusCap != nil {
		v := *c.SurplusCap
		if v < 1 || v > MaxSurplusPercent {
			return nil, fieldErr("surplus_cap", fmt.Sprintf("Tỷ lệ số dư tối đa phải từ 1 đến %d%% số lượng cần bầu (quy định không cho phép dư quá %d%%).", MaxSurplusPercent, MaxSurplusPercent),
				fmt.Sprintf("the surplus cap must be between 1 and %d percent of the seats (the rules allow no more than %d%%)", MaxSurplusPercent, MaxSurplusPercent))
		}
		if v == MaxSurplusPercent {
			v = 0 // the rules' own cap: stored as the default
		}
		n.Polls.SurplusCap = v
	}
	if c.PaperEntries != nil {
		v := *c.PaperEntries
		if v != 2 && v != 3 {
			return nil, fieldErr("paper_entries", "Số lần nhập độc lập mỗi phiếu giấy phải là 2 hoặc 3.", "each paper ballot is keyed 2 or 3 times")
		}
		if v == DefaultPaperTimes {
			v = 0 // the default: stored as such
		}
		n.Polls.PaperEntries = v
	}
	if c.TimeZone != nil {
		z := strings.TrimSpace(*c.TimeZone)
		if !KnownZone(z) {
			return nil, fieldErr("time_zone", fmt.Sprintf("Múi giờ %q không hợp lệ (ví dụ: %s).", z, DefaultTimeZone), fmt.Sprintf("time zone %q is not valid (for example %s)", z, DefaultTimeZone))
		}
		n.TimeZone = z
	}
	if c.Layout != nil {
		if !c.Layout.valid() {
			return nil, fieldErr("layout", fmt.Sprintf("Thể thức %q không hợp lệ (party: văn bản của Đảng; state: văn bản hành chính nhà nước).", *c.Layout),
				fmt.Sprintf("layout %q is not valid (party or state)", *c.Layout))
		}
		n.Layout = *c.Layout
	}
	if n.equal(s.Settings) {
		return nil, Errorf(KindConflict, "Thiết lập không thay đổi.", "the settings are unchanged")
	}
	return []Event{newEvent(EventMeetingConfigured, n)}, nil
}

// seconds validates a duration given in whole seconds, 0..max.
func seconds(field string, n int, max time.Duration) (time.Duration, error) {
	if n < 0 || time.Duration(n)*time.Second > max {
		return 0, fieldErr(field, fmt.Sprintf("Thời gian phải từ 0 đến %d giây.", int(max/time.Second)), fmt.Sprintf("must be between 0 and %d seconds", int(max/time.Second)))
	}
	return time.Duration(n) * time.Second, nil
}

// fieldErr is an Invalid error about one field.
func fieldErr(field, vi, en string) *Error {
	return &Error{Kind: KindInvalid, Message: vi, MessageEN: en, Problems: []Problem{{Field: field, Message: vi, MessageEN: en}}}
}
