package meetingtest

// Shrink returns a smaller script that still fails as sc does: fails(x)
// reports whether script x still breaks the same invariant. It drops
// commands while the failure stays: halves, then quarters and so on down
// to single steps, again until no single step can go (a simple version of
// Zeller's delta debugging). A dropped step takes with it, in effect, the
// steps that refer to what it created (they are skipped when run). The
// result is 1-minimal: removing any one of its steps makes it pass.
func Shrink(sc Script, fails func(Script) bool) Script {
	for chunk := len(sc) / 2; chunk >= 1; {
		removed := false
		for start := 0; start < len(sc); {
			drop := map[int]bool{}
			for i := start; i < start+chunk && i < len(sc); i++ {
				drop[i] = true
			}
			if x := sc.Without(drop); len(x) < len(sc) && fails(x) {
				sc, removed = x, true
				continue // the same start now holds the next steps
			}
			start += chunk
		}
		if !removed {
			chunk /= 2
		}
	}
	return sc
}
