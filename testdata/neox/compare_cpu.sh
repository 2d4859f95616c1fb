#!/usr/bin/env bash
# The CPU speed comparison behind paperrepro/docs/speed.md, in one run on one
# machine, printing one table. Run it on an otherwise idle machine, from
# the repository root:
#
#   testdata/neox/compare_cpu.sh [SECONDS [ROUNDS]]     defaults: 30 seconds per measurement, 3 rounds
#
# In alternating rounds (medians reported), on the Pythia-70m shape with the
# same random weights (bench_torch.py writes them as a checkpoint too):
#   - PyTorch (Debian's python3-torch on OpenBLAS), the seed protocol's forward
#     pass on 4 x 1024 tokens, in each configuration: OPENBLAS_CORETYPE as the
#     environment sets it (or unset), set to the CPU's real core type
#     (SkylakeX with AVX-512, Haswell with AVX2), and that with jemalloc
#     keeping its memory (LD_PRELOAD, MALLOC_CONF; PyTorch's allocator as
#     installed maps fresh memory on every call);
#   - paperrepro's pure-Go backend on the same pass (BenchmarkTokenBitsPythia70mShape/4x1024),
#     and XLA's CPU backend when a PJRT CPU plugin is installed;
#   - the lossless coder: BenchmarkDecoderPythia70mShape (64 streams), and end
#     to end, `paperrepro compress` of the first 64 KiB of enwik8;
# then, once, `go test ./paperrepro -run MiniGrid` at BASE (the commit before
# the move to GoMLX v0.28 unless BASE names another) and here.
#
# Needs: Go (the toolchain comes from the module proxy), apt-get install
# python3-torch libopenblas0-pthread (libjemalloc2 for the jemalloc row),
# and ../shared (or PAPERREPRO_SHARED) for enwik8, the tokenizer and the mini
# grid's fixtures.
set -euo pipefail
seconds=${1:-30} rounds=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${PAPERREPRO_SHARED:-$root/../shared}
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3} GOEXPERIMENT=${GOEXPERIMENT:-simd}
cd "$root"

fail() {
	echo "compare_cpu.sh: $*" >&2
	exit 1
}
[[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import torch' 2>/dev/null || fail "no PyTorch for /usr/bin/python3: apt-get install python3-torch libopenblas0-pthread"
for need in data/enwik8/enwik8.prefix data/tokenizer/tokenizer.json fixtures/pythia-tiny; do
	[[ -e $shared/$need ]] || fail "missing $shared/$need (set PAPERREPRO_SHARED to the shared folder)"
done
work=$(mktemp -d)
cleanup() {
	[[ -d $work/base ]] && git worktree remove --force "$work/base" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# --- the machine -------------------------------------------------------------

flags=$(grep -m1 '^flags' /proc/cpuinfo)
coretype=Haswell simd=AVX2
[[ $flags == *avx512f* ]] && coretype=SkylakeX simd=AVX-512
[[ $flags == *avx2* ]] || coretype="" simd="no AVX2"
threads=$(nproc)
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $threads cores, $simd; $(free -g | awk '/^Mem/ {print $2}') GiB"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); load now: $(cut -d' ' -f1-3 /proc/loadavg); commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)')"
echo "go: $(go version | cut -d' ' -f3) GOEXPERIMENT=$GOEXPERIMENT; $(/usr/bin/python3 -c 'import torch; print("torch", torch.__version__)')"

# --- builds and inputs ---------------------------------------------------------

echo "building ..."
go build -o "$work/paperrepro" ./paperrepro/cmd/paperrepro
go test -c -o "$work/neox.test" ./paperrepro/neox
go test -c -o "$work/paperrepro.test" ./paperrepro
base=${BASE:-}
if [[ -z $base ]]; then
	first=$(git log --format=%H --grep='^engine: gomlx v0.28.16' | tail -n1)
	[[ -n $first ]] && base=$(git rev-parse "$first^")
fi
if [[ -n $base ]]; then
	git worktree add --detach "$work/base" "$base" >/dev/null 2>&1 || fail "cannot check out BASE=$base"
	(cd "$work/base" && go test -c -o "$work/base-paperrepro.test" ./paperrepro)
fi
/usr/bin/python3 "$here/bench_torch.py" --model 70m --write-checkpoint "$work/pythia-70m"
head -c 65536 "$shared/data/enwik8/enwik8.prefix" >"$work/enwik8-64k"

# --- the measurements --------------------------------------------------------

configs=("OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-}")
if [[ -n $coretype && ${OPENBLAS_CORETYPE:-} != "$coretype" ]]; then
	configs+=("OPENBLAS_CORETYPE=$coretype")
fi
jemalloc=$(ls /usr/lib/*/libjemalloc.so.2 2>/dev/null | head -n1 || true)
# jemalloc keeping the memory it was given (no decay): PyTorch then maps no
# fresh memory after its second call, where by default (and with jemalloc's
# own default decay) it takes about two million page faults a call here.
[[ -n $jemalloc ]] && configs+=("${configs[-1]} LD_PRELOAD=$jemalloc MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1")
go_backends=(go)
if GOMLX_BACKEND=xla:cpu "$work/paperrepro" bench -config testdata/neox/parallel-f32/config.json -seq 32 -batch 1 -time 0 -sample 0 -results /nonexistent >/dev/null 2>&1; then
	go_backends+=(xla:cpu)
fi

declare -A rate cpu faults
record() { # key tokens/s tokens/cpu-s faults
	rate[$1]+="$2 " cpu[$1]+="$3 " faults[$1]+="$4 "
}
torch_run() { # config
	local line
	line=$(env -u OPENBLAS_CORETYPE -u LD_PRELOAD -u MALLOC_CONF $1 /usr/bin/python3 "$here/bench_torch.py" --model 70m --batch 4 --seq 1024 --seconds "$seconds" --threads "$threads")
	echo "  $line" >&2
	awk '{for (i = 1; i <= NF; i++) {if ($(i+1) ~ /^tokens\/s/) r = $i; if ($(i+1) ~ /^tokens\/cpu-s/) c = $i; if ($(i+1) ~ /^faults\/call/) f = $i}} END {print r, c, f}' <<<"$line"
}
go_bench() { # backend benchmark-pattern
	local line
	line=$(cd paperrepro/neox && GOMLX_BACKEND=$1 "$work/neox.test" -test.run '^$' -test.bench "$2" -test.benchtime "${seconds}s" 2>/dev/null | grep '^Benchmark')
	echo "  [$1] $line" >&2
	awk '{for (i = 1; i <= NF; i++) {if ($(i+1) == "tokens/s") r = $i; if ($(i+1) == "tokens/cpu-s") c = $i; if ($(i+1) == "faults/op") f = $i}} END {print r, c, f}' <<<"$line"
}
compress_run() { # backend
	local out
	out=$( { GOMLX_BACKEND=$1 /usr/bin/time -f "time %e %U %S" "$work/paperrepro" compress -f -model-dir "$work/pythia-70m" \
		-tokenizer "$shared/data/tokenizer/tokenizer.json" -o "$work/enwik8-64k.prz" "$work/enwik8-64k"; } 2>&1)
	echo "  [$1] $(grep -m1 'bytes ->' <<<"$out"); $(grep -m1 '^time' <<<"$out")" >&2
	awk '/chunks, [0-9]+ tokens/ {for (i = 1; i <= NF; i++) if ($(i+1) ~ /^tokens/) t = $i} /^time/ {w = $2; c = $3 + $4} END {printf "%.0f %.0f -\n", t / w, t / c}' <<<"$out"
}
for round in $(seq "$rounds"); do
	echo "round $round of $rounds ..."
	for c in "${configs[@]}"; do
		read -r r c2 f < <(torch_run "$c")
		record "pytorch $c" "$r" "$c2" "$f"
	done
	for b in "${go_backends[@]}"; do
		read -r r c2 f < <(go_bench "$b" 'TokenBitsPythia70mShape/4x1024$')
		record "seed $b" "$r" "$c2" "$f"
		read -r r c2 f < <(go_bench "$b" 'DecoderPythia70mShape/batch=64$')
		record "decoder $b" "$r" "$c2" "$f"
		read -r r c2 f < <(compress_run "$b")
		record "compress $b" "$r" "$c2" "$f"
	done
done
"$work/paperrepro" decompress -f -model-dir "$work/pythia-70m" -tokenizer "$shared/data/tokenizer/tokenizer.json" \
	-o "$work/enwik8-64k.out" "$work/enwik8-64k.prz" >/dev/null 2>&1 && cmp -s "$work/enwik8-64k" "$work/enwik8-64k.out" &&
	roundtrip="decompressed byte for byte" || roundtrip="DECOMPRESSION FAILED"

minigrid() { # dir binary -> seconds of wall time
	local t0=$EPOCHREALTIME
	(cd "$1/paperrepro" && PAPERREPRO_SHARED=$shared "$2" -test.run MiniGrid -test.count=1 >/dev/null 2>&1) || { echo "failed"; return; }
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}'
}
mg_base=skipped mg_here=$(minigrid "$root" "$work/paperrepro.test")
[[ -n $base ]] && mg_base=$(minigrid "$work/base" "$work/base-paperrepro.test")

# --- the table -----------------------------------------------------------------

median() { tr ' ' '\n' | grep -v '^-\?$' | sort -g | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]; else print "-"}'; }
best_torch=0 best_config=""
for c in "${configs[@]}"; do
	m=$(median <<<"${rate[pytorch $c]}")
	if awk -v m="$m" -v b="$best_torch" 'BEGIN {exit !(m > b)}'; then best_torch=$m best_config=$c; fi
done
echo
echo "medians of $rounds rounds of ${seconds}s, Pythia-70m shape, 4 x 1024 tokens (the lossless rows: tokens coded); $threads threads"
printf '%-60s %10s %12s %10s  %s\n' measurement tokens/s tokens/cpu-s faults/op "ratio"
row() { # key label ratio-note
	printf '%-60s %10s %12s %10s  %s\n' "$2" "$(median <<<"${rate[$1]}")" "$(median <<<"${cpu[$1]}")" "$(median <<<"${faults[$1]}")" "$3"
}
for c in "${configs[@]}"; do
	note=""
	[[ $c == "$best_config" ]] && note="fastest PyTorch"
	label="PyTorch ${c:-OPENBLAS_CORETYPE=}"
	label=${label/LD_PRELOAD=$jemalloc MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1/+ jemalloc, no decay}
	row "pytorch $c" "$label" "$note"
done
for b in "${go_backends[@]}"; do
	seed=$(median <<<"${rate[seed $b]}")
	row "seed $b" "paperrepro $b: seed protocol forward pass" "$(awk -v s="$seed" -v t="$best_torch" -v sc="$(median <<<"${cpu[seed $b]}")" -v tc="$(median <<<"${cpu[pytorch $best_config]}")" \
		'BEGIN {printf "%.2fx the fastest PyTorch (per CPU-second %.2fx)", s / t, sc / tc}')"
	row "decoder $b" "paperrepro $b: decoder step, 64 streams" "$(awk -v d="$(median <<<"${rate[decoder $b]}")" -v s="$seed" 'BEGIN {printf "%.2fx the seed protocol", d / s}')"
	row "compress $b" "paperrepro $b: compress 64 KiB of enwik8 (32 streams)" "$(awk -v d="$(median <<<"${rate[compress $b]}")" -v s="$seed" 'BEGIN {printf "%.2fx the seed protocol", d / s}')"
done
echo "compress round trip: $roundtrip"
echo "go test ./paperrepro -run MiniGrid: ${mg_base}s at ${base:-(no BASE)} (GoMLX v0.26), ${mg_here}s here$(awk -v a="$mg_base" -v b="$mg_here" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf ": %.1fx faster", a / b}')"
