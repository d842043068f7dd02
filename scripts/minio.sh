#!/usr/bin/env bash
# Builds the MinIO server used by the real-S3 tests (docs-storage/miniotest)
# from source with the Go toolchain, at a pinned version, into
# $(go env GOPATH)/bin/minio. Idempotent: if a binary built from the pinned
# module version is already there, nothing is rebuilt.
#
# Usage: scripts/minio.sh          # build if needed, print the binary path
#        MINIO_FORCE=1 scripts/minio.sh   # rebuild even if present
#
# The tests find the binary via $PHONGHOP_MINIO_BIN, then `minio` on PATH,
# then $(go env GOPATH)/bin/minio. A cold build takes several minutes on
# 2 cores (module download + compile).
set -euo pipefail

MINIO_MODULE="github.com/minio/minio"
# Pinned: `go list -m github.com/minio/minio@latest` as of 2026-02.
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"

gobin="$(go env GOBIN)"
if [[ -z "${gobin}" ]]; then
	gobin="$(go env GOPATH | cut -d: -f1)/bin"
fi
bin="${gobin}/minio"

# The version marker is the module version that `go install` embeds in the
# binary's build info (`go version -m`), so no separate marker file can go
# stale.
installed_version() {
	[[ -x "${bin}" ]] || return 0
	go version -m "${bin}" 2>/dev/null |
		awk -v m="${MINIO_MODULE}" '$1 == "mod" && $2 == m { print $3; exit }'
}

if [[ "${MINIO_FORCE:-}" != "1" && "$(installed_version)" == "${MINIO_VERSION}" ]]; then
	echo "minio ${MINIO_VERSION} already installed" >&2
	echo "${bin}"
	exit 0
fi

echo "building ${MINIO_MODULE}@${MINIO_VERSION} into ${bin} (takes a few minutes)..." >&2
start=$(date +%s)
# -mod=mod: ignore any vendor dir; GOTOOLCHAIN=local: build with the
# installed Go (MinIO's go.mod asks for an older toolchain, which is fine).
# CGO_ENABLED=0: MinIO is pure Go; a static build needs no C toolchain.
GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 \
	go install -trimpath "${MINIO_MODULE}@${MINIO_VERSION}"
echo "built in $(( $(date +%s) - start ))s" >&2

got="$(installed_version)"
if [[ "${got}" != "${MINIO_VERSION}" ]]; then
	echo "minio.sh: ${bin} reports version '${got}', want ${MINIO_VERSION}" >&2
	exit 1
fi
echo "${bin}"
