#!/bin/sh
# vendor-axe.sh fetches axe-core (the accessibility rules engine the browser
# tests inject into the pages; test-only, never served by phonghop) from the
# npm registry at a pinned version, checks the package's integrity hash
# against the one recorded here, and copies axe.min.js and its licence
# (MPL-2.0) into e2e/testdata/axe/.
#
#	scripts/vendor-axe.sh          # reproduce e2e/testdata/axe/
#	scripts/vendor-axe.sh -check   # verify the vendored files match the package
set -eu

VERSION=4.14.1
# The "integrity" npm records for axe-core@4.14.1 (sha512 of the tarball).
INTEGRITY='sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=='

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/e2e/testdata/axe"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm pack --silent "axe-core@$VERSION" >/dev/null
tgz="axe-core-$VERSION.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 | tr -d '\n')"
if [ "$got" != "$INTEGRITY" ]; then
	echo "vendor-axe: integrity mismatch for $tgz:" >&2
	echo "  want $INTEGRITY" >&2
	echo "  got  $got" >&2
	exit 1
fi
tar xzf "$tgz" package/axe.min.js package/LICENSE package/package.json
ver=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package/package.json)
[ "$ver" = "$VERSION" ] || { echo "vendor-axe: package.json says $ver, want $VERSION" >&2; exit 1; }

if [ "${1:-}" = "-check" ]; then
	cmp package/axe.min.js "$dest/axe.min.js"
	cmp package/LICENSE "$dest/LICENSE"
	echo "vendor-axe: e2e/testdata/axe matches axe-core@$VERSION"
	exit 0
fi
mkdir -p "$dest"
cp package/axe.min.js package/LICENSE "$dest/"
printf 'axe-core %s (npm), %s\nFiles: axe.min.js, LICENSE (MPL-2.0). Test-only: injected by e2e/browser_a11y_test.go.\nReproduce: scripts/vendor-axe.sh\n' "$VERSION" "$INTEGRITY" >"$dest/VERSION"
echo "vendor-axe: axe-core@$VERSION copied to $dest"
