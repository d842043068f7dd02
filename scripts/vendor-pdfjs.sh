#!/bin/sh
# Vendors pdf.js (npm package pdfjs-dist, pinned below) into
# client/web/assets/vendor/pdfjs/: the modern ES-module build and its worker
# (minified), the standard fonts (for PDFs that do not embed theirs), and the
# licenses. The files are committed; run this again only to change the version.
# Needs npm (registry access) and tar; checks the tarball's integrity hash.
set -eu
VERSION=6.5.438
cd "$(dirname "$0")/.."
dest=client/web/assets/vendor/pdfjs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "pdfjs-dist@$VERSION" >/dev/null)
want=$(npm view "pdfjs-dist@$VERSION" dist.integrity)
got="sha512-$(openssl dgst -sha512 -binary "$tmp/pdfjs-dist-$VERSION.tgz" | base64 -w0)"
[ "$want" = "$got" ] || { echo "integrity mismatch: $got != $want" >&2; exit 1; }
tar -xzf "$tmp/pdfjs-dist-$VERSION.tgz" -C "$tmp"
rm -rf "$dest"
mkdir -p "$dest/standard_fonts"
p=$tmp/package
cp "$p/build/pdf.min.mjs" "$p/build/pdf.worker.min.mjs" "$p/LICENSE" "$dest/"
cp "$p/standard_fonts/"* "$dest/standard_fonts/"
echo "$VERSION" >"$dest/VERSION"
echo "vendored pdfjs-dist $VERSION into $dest ($(du -sh "$dest" | cut -f1))"
