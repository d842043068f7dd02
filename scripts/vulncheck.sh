#!/usr/bin/env bash
# Runs govulncheck against the Go vulnerability database, fetched through
# the Go module proxy (the module golang.org/x/vulndb at a pinned version:
# its data/osv folder indexed by vulndb's own cmd/indexdb), and fails on any
# reachable finding (scripts/vulncheck/main.go; exceptions.txt beside it).
# Needs no access to vuln.go.dev. Bump VULNDB to get newer advisories:
#   go list -m golang.org/x/vulndb@latest
set -euo pipefail
cd "$(dirname "$0")/.."
VULNDB="v0.0.0-20261105234957-e22db6528018"
GOVULNCHECK="golang.org/x/vuln/cmd/govulncheck@v1.9.0"

src="$(go mod download -json "golang.org/x/vulndb@${VULNDB}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
db="$(go env GOCACHE)/phonghop-vulndb-${VULNDB}"
if [[ ! -f "${db}/index/db.json" ]]; then
	rm -rf "${db}.tmp"
	go run "golang.org/x/vulndb/cmd/indexdb@${VULNDB}" -vulns "${src}/data/osv" -out "${db}.tmp"
	rm -rf "${db}" && mv "${db}.tmp" "${db}"
fi
echo "govulncheck $(go version | cut -d' ' -f3) against golang.org/x/vulndb@${VULNDB}"
go run "${GOVULNCHECK}" -db "file://${db}" -format json ./... | go run ./scripts/vulncheck scripts/vulncheck/exceptions.txt
