package minutes

import (
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
)

// BenchmarkRecord1600 measures the official record of the 1,600-delegate
// congress of largeMeeting (30 items, 20 polls of every kind, 16 of them
// secret): the fold of the log alone (the floor every record pays), the
// minutes, one counting record (the election) and every counting record,
// each built and rendered as a Vietnamese PDF.
func BenchmarkRecord1600(b *testing.B) {
	f := largeMeeting(b, 1600)
	var election string
	for _, p := range f.s.Polls {
		if p.Kind == meeting.PollElection && election == "" {
			election = p.ID
		}
	}
	for _, step := range []struct {
		name string
		run  func() error
	}{
		{"Floor/Replay", func() error { _, err := meeting.Replay(f.log); return err }},
		{"Minutes/Build+PDF", func() error {
			m, err := Build(f.log)
			if err == nil {
				_, err = m.PDF("vi")
			}
			return err
		}},
		{"Counting/One/Build+PDF", func() error {
			c, err := BuildCounting(f.log, election)
			if err == nil {
				_, err = c.PDF("vi")
			}
			return err
		}},
		{"Counting/All16/Build+PDF", func() error {
			cs, err := BuildCountings(f.log)
			for _, c := range cs {
				if err == nil {
					_, err = c.PDF("vi")
				}
			}
			return err
		}},
	} {
		b.Run(step.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := step.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
