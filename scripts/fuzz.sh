#!/usr/bin/env bash
# Runs every native Go fuzz target (func FuzzXxx(f *testing.F)) of the
# module for a bounded time each, one target at a time, and fails on the
# first crash. `go test ./...` already runs every target's seed corpus
# (testdata/fuzz and f.Add); this explores beyond it. A failing input is
# written by Go to <package>/testdata/fuzz/<Target>/: commit it with the fix,
# it becomes a regression test of the seed corpus.
#
#   scripts/fuzz.sh                       # every target, FUZZTIME each (default 10s)
#   FUZZTIME=10m scripts/fuzz.sh FuzzStamp      # one target (or several), longer
#   FUZZTIME=10000000x scripts/fuzz.sh FuzzCommand   # a number of executions
#
# Variables: FUZZTIME (go test -fuzztime: a duration or Nx), FUZZPARALLEL
# (fuzzing workers, default 1: CI machines are small and shared), FUZZLOG
# (a file that gets one line per target: package, target, executions,
# elapsed time, result).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN="${GOTOOLCHAIN:-$(sed -n 's/^toolchain //p' go.mod)}"
fuzztime="${FUZZTIME:-10s}"
parallel="${FUZZPARALLEL:-1}"
only=("$@")

# Every target, as "package target", from the test sources (go test -list
# would build every test binary just to list).
mapfile -t targets < <(git ls-files '*_test.go' | xargs grep -H -o '^func Fuzz[A-Za-z0-9_]*(f \*testing\.F)' |
	sed -E 's#^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\(.*#./\1 \2#' | sort -u)
if ((${#targets[@]} == 0)); then
	echo "no fuzz targets found" >&2
	exit 1
fi

failed=0
ran=0
for t in "${targets[@]}"; do
	pkg="${t% *}"
	name="${t#* }"
	if ((${#only[@]})) && [[ ! " ${only[*]} " == *" ${name} "* ]]; then
		continue
	fi
	ran=$((ran + 1))
	echo "== fuzz ${pkg} ${name} (${fuzztime})"
	log="$(mktemp)"
	start=$(date +%s)
	status=ok
	# -run '^$': the seed corpora already ran with the tests.
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "${fuzztime}" -parallel "${parallel}" "${pkg}" >"${log}" 2>&1; then
		status=FAIL
		failed=$((failed + 1))
	fi
	elapsed=$(($(date +%s) - start))
	# The last progress line holds the executions ("execs: N").
	execs="$(grep -o 'execs: [0-9]*' "${log}" | tail -1 | cut -d' ' -f2 || true)"
	if [[ "${status}" == FAIL ]]; then
		cat "${log}"
	else
		tail -n 2 "${log}"
	fi
	if [[ -n "${FUZZLOG:-}" ]]; then
		printf '%s\t%s\t%s\t%ss\t%s\n' "${pkg}" "${name}" "${execs:-0}" "${elapsed}" "${status}" >>"${FUZZLOG}"
	fi
	rm -f "${log}"
	if [[ "${status}" == FAIL && "${FUZZKEEPGOING:-}" != 1 ]]; then
		echo "fuzz: ${pkg} ${name} failed; its input is in ${pkg#./}/testdata/fuzz/${name}/" >&2
		exit 1
	fi
done
if ((ran == 0)); then
	echo "no fuzz target matches: ${only[*]}" >&2
	exit 1
fi
if ((failed)); then
	echo "fuzz: ${failed} target(s) failed" >&2
	exit 1
fi
echo "fuzz: ${ran} targets, no crash"
