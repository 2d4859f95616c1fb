#!/usr/bin/env bash
# Builds the GPU check's bundle on a machine with Go and a C compiler: the
# paperrepro command and the neox and paperrepro test binaries (cgo, GoMLX's
# XLA backend compiled in), with the fixtures and data they read, into
# paperrepro/gpucheck/bundle/ (ignored by git). run.sh then runs the check
# from the bundle on a GPU machine that has neither Go nor network access.
#
#   build.sh            build the bundle (PAPERREPRO_SHARED: the shared folder, default ../shared)
#
# The bundle travels with the repository's tracked files to the GPU machine,
# which takes 64 MiB in all: the script fails when the two together are over.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${PAPERREPRO_SHARED:-$root/../shared}
out=$here/bundle
limit=$((64 << 20))

fail() {
	echo "gpucheck/build.sh: $*" >&2
	exit 1
}

cd "$root"
# As the Makefile: Go 1.27 for GoMLX v0.28, and the pure-Go backend's SIMD
# kernels (the bundle's binaries also run the pure-Go fall-back).
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3}
export GOEXPERIMENT=${GOEXPERIMENT:-simd}
command -v go >/dev/null || fail "no go command on PATH"
[[ $(go env CGO_ENABLED) == 1 ]] || fail "cgo is off (no C compiler, or CGO_ENABLED=0): the GPU check needs GoMLX's XLA backend, which needs cgo"
go list -deps ./paperrepro/cmd/paperrepro | grep -qx github.com/gomlx/go-xla/compute/xla ||
	fail "the command builds without GoMLX's XLA backend (GOFLAGS=${GOFLAGS:-} has -tags noxla?)"
for need in fixtures/pythia-tiny/expected_seed_protocol.csv data/tokenizer/tokenizer.json data/enwik8/enwik8.prefix data/imagenet-sample data/librispeech-sample; do
	[[ -e $shared/$need ]] || fail "missing $shared/$need (set PAPERREPRO_SHARED to the shared fixtures folder)"
done

rm -rf "$out"
mkdir -p "$out/shared/fixtures" "$out/shared/data/tokenizer" "$out/shared/data/enwik8" "$out/shared/data/imagenet-sample" "$out/shared/data/librispeech-sample"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "building the paperrepro command and the test binaries (cgo, XLA compiled in) ..."
flags=(-trimpath -ldflags=-s\ -w)
go build "${flags[@]}" -o "$work/paperrepro" ./paperrepro/cmd/paperrepro
go test -c "${flags[@]}" -o "$work/neox.test" ./paperrepro/neox
go test -c "${flags[@]}" -o "$work/paperrepro.test" ./paperrepro
tar -C "$work" -cJf "$out/bin.tar.xz" paperrepro neox.test paperrepro.test

# The fixtures and the part of the data the check reads: the mini grid's 16
# chunks per modality come from the first bytes of enwik8, the first images
# and the first FLAC files in byte-wise name order (the datasets package's).
cp -r "$shared/fixtures/pythia-tiny" "$out/shared/fixtures/"
cp "$shared/data/tokenizer/tokenizer.json" "$out/shared/data/tokenizer/"
head -c $((64 * 2048)) "$shared/data/enwik8/enwik8.prefix" >"$out/shared/data/enwik8/enwik8.prefix"
(cd "$shared/data/imagenet-sample" && ls | LC_ALL=C sort | head -n 24 | xargs cp -t "$out/shared/data/imagenet-sample/")
(cd "$shared/data/librispeech-sample" && ls | LC_ALL=C sort | head -n 3 | xargs cp -t "$out/shared/data/librispeech-sample/")
chmod -R u+w "$out"

{
	echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
	echo "built $(date -u +%Y-%m-%dT%H:%MZ) with $(go version | cut -d' ' -f3) on $(uname -m), $(ldd --version | head -n1)"
} >"$out/MANIFEST"

bundle=$(du -sb "$out" | cut -f1)
tracked=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -n1 | cut -f1)
echo "bundle: $((bundle >> 20)) MiB in $out; with the repository's tracked files: $(((bundle + tracked) >> 20)) MiB of the 64 MiB that travel"
((bundle + tracked <= limit)) || fail "the bundle and the repository are $(((bundle + tracked) >> 20)) MiB together, over the 64 MiB a GPU machine is sent"
