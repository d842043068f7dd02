package meeting

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// keyedPaper returns a paper election of n ballots × names keyed three
// times and finished, with one difference in fifty decided; last holds
// back the last ballot of the last bundle at the third station.
func keyedPaper(b *testing.B, n, names int, hold bool) (*paperFixture, *EnterPaperBallot) {
	f := newPaperFixture(b, n, strikeSpec(names, names-max(1, names/11)))
	p := f.pollNow()
	r := rand.New(rand.NewPCG(1, 2))
	truth := make([]PaperMarks, n)
	for i := range truth {
		k := names - p.Seats + r.IntN(6)
		s := r.Perm(names)[:k]
		for j := range s {
			s[j]++
		}
		slices.Sort(s)
		truth[i] = PaperMarks{Struck: s}
	}
	stations := []Actor{f.members[0], f.members[1], f.techs[0]}
	const size = 50
	var held *EnterPaperBallot
	for bn := 0; bn*size < n; bn++ {
		part := truth[bn*size : min(n, (bn+1)*size)]
		last := (bn+1)*size >= n
		for si, a := range stations {
			for pos, m := range part {
				if hold && last && si == 2 && pos == len(part)-1 {
					held = &EnterPaperBallot{Poll: f.poll, Bundle: bn + 1, Position: pos + 1, Marks: m}
					break
				}
				if si == 1 && pos%50 == 7 {
					m = PaperMarks{Struck: []int{1}}
				}
				f.do(b, a, &EnterPaperBallot{Poll: f.poll, Bundle: bn + 1, Position: pos + 1, Marks: m})
			}
			if held == nil {
				f.do(b, a, &FinishPaperBundle{Poll: f.poll, Bundle: bn + 1, Count: len(part)})
			}
		}
		if len(part) > 7 {
			m := part[7]
			if held == nil {
				f.do(b, f.members[2], &DecidePaperBallot{Poll: f.poll, Bundle: bn + 1, Position: 8, Marks: &m, Note: "Phiếu gốc"})
			}
		}
	}
	return f, held
}

// BenchmarkPaperReconcile is the close of a paper election: Reconcile,
// the ballots, and Tally, at 350 ballots × 55 names and 1,600 × 220, each
// keyed three times. The floor, in the same run, is Tally alone of the same
// ballots: what a tablet poll of that size costs at its close.
func BenchmarkPaperReconcile(b *testing.B) {
	for _, size := range []struct{ n, names int }{{350, 55}, {1600, 220}} {
		f, _ := keyedPaper(b, size.n, size.names, false)
		p := f.pollNow()
		b.Run(fmt.Sprintf("%dx%d", size.n, size.names), func(b *testing.B) {
			for range b.N {
				ballots, err := paperBallots(p)
				if err != nil {
					b.Fatal(err)
				}
				if r := Tally(p, ballots); r.Cast != size.n {
					b.Fatalf("cast %d", r.Cast)
				}
			}
		})
		ballots, _ := paperBallots(p)
		b.Run(fmt.Sprintf("%dx%d/floor-tally", size.n, size.names), func(b *testing.B) {
			for range b.N {
				Tally(p, ballots)
			}
		})
	}
}

// BenchmarkPaperEnterDecide is the domain's share of acknowledging one
// entry: Decide of the last paper.enter of a count of 1,600 ballots keyed
// three times (every other ballot keyed, the bundles reconciled).
func BenchmarkPaperEnterDecide(b *testing.B) {
	for _, size := range []struct{ n, names int }{{350, 55}, {1600, 220}} {
		b.Run(fmt.Sprintf("%dx%d", size.n, size.names), func(b *testing.B) {
			f, c := keyedPaper(b, size.n, size.names, true)
			s := f.s
			b.ResetTimer()
			for range b.N {
				if _, err := Decide(s, f.techs[0], c, nowAt(s)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
