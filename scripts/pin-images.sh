#!/usr/bin/env bash
# Resolves the current digest of every image tag in docker-compose.yml and
# the Dockerfile and rewrites them as tag@sha256:digest. Needs Docker (buildx)
# and network access to the registries; run it on a workstation, review the
# diff, commit.
set -euo pipefail
cd "$(dirname "$0")/.."
for f in docker-compose.yml Dockerfile; do
	for ref in $(grep -oE '[a-z0-9./-]+(:[A-Za-z0-9._-]+)@sha256:[0-9a-f]{64}' "$f" | sort -u); do
		tag="${ref%@*}"
		digest="$(docker buildx imagetools inspect "$tag" --format '{{json .Manifest.Digest}}' | tr -d '"')"
		[[ "$digest" == sha256:* ]] || { echo "no digest for $tag" >&2; exit 1; }
		sed -i "s|${ref}|${tag}@${digest}|g" "$f"
		echo "$tag -> $digest"
	done
done
