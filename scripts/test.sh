#!/usr/bin/env bash
# Installs what the tests need and runs every test. This is the project's
# one test command (README.md); CI runs it through .ci/run.
#
#   scripts/test.sh            # everything: formatting, vet, all tests with -race
#   scripts/test.sh -short     # extra arguments go to `go test`
#
# Under CI=true no test may skip because a dependency is missing: the real
# MinIO (built here with the Go toolchain) and PostgreSQL 15 (Debian's
# postgresql-15) must be there, or tests fail.
set -euo pipefail
cd "$(dirname "$0")/.."
# The Go toolchain go.mod names (a machine starts on its own Go and, with
# GOTOOLCHAIN=local, ignores go.mod's toolchain line): fetched once through
# the Go module proxy.
export GOTOOLCHAIN="$(sed -n 's/^toolchain //p' go.mod)"

echo "== dependencies"
go version
# Debian packages: Chromium for the browser tests of the web apps (chromedp
# drives it), poppler-utils (pdftotext, pdffonts) to read the minutes' PDF
# back. Installed only when missing; needs root (CI runs as root).
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v pdftotext >/dev/null || need+=(poppler-utils)
# pandoc reads back the Word exports of the congress floor's roll-up.
command -v pandoc >/dev/null || need+=(pandoc)
# openssl: the archive test checks the hand verification docs/archive.md gives.
command -v openssl >/dev/null || need+=(openssl)
# promtool (Debian's prometheus package): the metrics test checks /metrics.
command -v promtool >/dev/null || need+=(prometheus)
# Fonts with Vietnamese glyphs, the same as on the development machines, so
# pages lay out (and screenshots look) the same everywhere.
for f in fonts-noto-core fonts-liberation2 fonts-dejavu-core; do
	dpkg -s "$f" >/dev/null 2>&1 || need+=("$f")
done
if ((${#need[@]})); then
	sudo=""
	[[ "$(id -u)" == 0 ]] || sudo="sudo"
	echo "installing ${need[*]} from apt"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# PostgreSQL 15 for the PostgreSQL store's tests (internal/pgtest runs its
# own throw-away server from these binaries, as the postgres user when we
# are root). The package would create and start a cluster of its own:
# postgresql-common is told not to first.
pg_bin="${PHONGHOP_PG_BIN:-/usr/lib/postgresql/15/bin}"
if [[ ! -x "${pg_bin}/postgres" || ! -x "${pg_bin}/initdb" ]]; then
	sudo=""
	[[ "$(id -u)" == 0 ]] || sudo="sudo"
	echo "installing postgresql-15 from apt"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql-common >/dev/null
	$sudo sed -i 's/^#\?\s*create_main_cluster\s*=.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
fi
export PHONGHOP_PG_BIN="${pg_bin}"
"${PHONGHOP_PG_BIN}/postgres" --version
chromium --version 2>/dev/null
pdftotext -v 2>&1 | sed -n 1p # sed reads it all: no SIGPIPE under pipefail
pandoc --version | sed -n 1p
# A real MinIO server for the S3 backend's tests, built from source at a
# pinned version (scripts/minio.sh; a cold build takes ~6 minutes on 2 cores).
PHONGHOP_MINIO_BIN="$(bash scripts/minio.sh)"
export PHONGHOP_MINIO_BIN
echo "minio: ${PHONGHOP_MINIO_BIN}"

echo "== gofmt"
unformatted="$(gofmt -l $(git ls-files '*.go'))"
if [[ -n "${unformatted}" ]]; then
	echo "gofmt would change:" >&2
	echo "${unformatted}" >&2
	exit 1
fi

echo "== go mod tidy"
if ! go mod tidy -diff; then
	echo "go.mod/go.sum are not tidy: run go mod tidy" >&2
	exit 1
fi

echo "== go vet"
go vet ./...

echo "== govulncheck"
bash scripts/vulncheck.sh

echo "== go test -race"
go test -race -count=1 -timeout 40m "$@" ./...

# The property tests at full size: 10,000 random meetings (and the minutes
# of 1,000), each step checked against every invariant (docs/testing.md).
# Under -race above they run a tenth of that: the race detector makes each
# meeting several times slower and the domain is pure (the runner's
# goroutines are covered by the thousand), so the full count runs here
# without it.
echo "== property tests (10,000 random meetings, without -race)"
go test -count=1 -timeout 20m -run '^(TestMeetingProperties|TestMinutesProperties)$' "$@" ./server/meeting ./server/minutes

echo "== fuzz (every target for ${FUZZTIME:-10s}; scripts/fuzz.sh)"
bash scripts/fuzz.sh
