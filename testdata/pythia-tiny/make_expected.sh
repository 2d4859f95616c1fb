#!/usr/bin/env bash
# Recomputes testdata/pythia-tiny's expected numbers with the independent
# reference: writes the tiny checkpoints (package pythiatiny), records their
# sha256, cuts 16 chunks per modality from the data files, tokenizes them with
# Hugging Face's tokenizers 0.23.2 (npm, the Rust library) and scores them with
# ../shared/tools/neox_ref.py's PyTorch forward pass (reference.py).
#
# Needs ../shared (the image patches and neox_ref.py), Debian's python3-torch,
# flac, node and npm (network to npm once). Run from the repository root:
#
#	testdata/pythia-tiny/make_expected.sh
set -euo pipefail

here=testdata/pythia-tiny
[[ -f $here/reference.py ]] || { echo "make_expected.sh: run it from the repository root" >&2; exit 2; }
shared=${PAPERREPRO_SHARED:-../shared}
patches=$shared/fixtures/patches/random-crop-seed0-first64.bin
[[ -f $patches && -f $shared/tools/neox_ref.py ]] || { echo "make_expected.sh: needs $patches and $shared/tools/neox_ref.py" >&2; exit 1; }
chunks=16
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go run ./paperrepro/internal/pythiatiny/writegrid "$tmp/grid"
(cd "$tmp/grid" && sha256sum */*/*) > "$here/SHA256SUMS"

mkdir "$tmp/chunks"
cp testdata/data/enwik8/enwik8.prefix "$tmp/chunks/text.bin"
cp "$patches" "$tmp/chunks/image.bin"
# The speech chunks: the sample's FLACs in byte-wise file-name order, decoded
# to 16-bit little-endian PCM and concatenated.
for f in $(LC_ALL=C ls testdata/data/librispeech-sample/*.flac); do
	flac --decode --silent --stdout --force-raw-format --endian=little --sign=signed "$f"
done > "$tmp/chunks/speech.bin"

mkdir -p "$tmp/npm"
(cd "$tmp/npm" && npm install --silent tokenizers@0.23.2 >/dev/null)

# expected NAME N REFERENCE_OPTIONS...: N chunks per modality, scored on every
# checkpoint, into $here/NAME.
expected() {
	local name=$1 n=$2
	shift 2
	/usr/bin/python3 "$here/reference.py" texts "$@" "$tmp/chunks" "$n" > "$tmp/texts.json"
	NODE_PATH=$tmp/npm/node_modules node testdata/tokenizer/golden_hf.mjs testdata/tokenizer/tokenizer.json "$tmp/texts.json" > "$tmp/ids.jsonl"
	/usr/bin/python3 "$here/reference.py" score "$@" "$tmp/chunks" "$tmp/grid" "$tmp/ids.jsonl" "$here/$name"
}
# The paper's 2048-byte chunks, and the per-cell means (the mini grid, the
# Table check, the protocol's fixture test).
expected expected_seed_protocol_chunks.csv "$chunks" --means
# 512-byte chunks of text and speech, for the quicker runs of go test -short.
expected expected_seed_protocol_chunks_512.csv 4 --bytes 512 --modalities text,speech
echo "make_expected.sh: wrote $here/SHA256SUMS and $here/expected_seed_protocol*.csv"
