#!/bin/sh
# Builds the browser kernel (client/web/kernel: server/meeting compiled to
# WebAssembly) into client/web/assets/kernel.wasm and copies Go's loader
# wasm_exec.js next to it. The output is committed; the test
# TestKernelWasmUpToDate (client/web) fails when it is stale. Reproducible:
# -trimpath, -buildvcs=false, stripped; the same Go version gives the same bytes.
#
# Usage: scripts/build-wasm.sh [output dir]   (default client/web/assets)
set -eu
cd "$(dirname "$0")/.."
# The toolchain go.mod names, so that every machine builds the same bytes.
export GOTOOLCHAIN="$(sed -n 's/^toolchain //p' go.mod)"
out=${1:-client/web/assets}
mkdir -p "$out"
GOOS=js GOARCH=wasm CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags='-s -w' -o "$out/kernel.wasm" ./client/web/kernel
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$out/wasm_exec.js"
echo "built $out/kernel.wasm ($(wc -c <"$out/kernel.wasm") bytes, $(gzip -9c "$out/kernel.wasm" | wc -c) gzipped)"
