#!/usr/bin/env bash
# Same-run CPU comparison on one machine: PyTorch (Debian's python3-torch on
# OpenBLAS) against paperrepro's pure-Go backend, and XLA's CPU backend when a
# PJRT CPU plugin is installed (paperrepro install-plugin), on the same
# Pythia shape, batch and sequence length, in alternating rounds. Run it on an
# otherwise idle machine, from the repository root:
#
#   testdata/neox/compare_cpu.sh [MODEL [BATCH [SEQ [SECONDS [ROUNDS]]]]]    defaults: 70m 4 1024 60 3
#
# Needs: apt-get install python3-torch libopenblas0-pthread
set -euo pipefail
model=${1:-70m} batch=${2:-4} seq=${3:-1024} seconds=${4:-60} rounds=${5:-3}
here=$(cd "$(dirname "$0")" && pwd)
bin=$(mktemp -d)/paperrepro
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./paperrepro/cmd/paperrepro
threads=$(nproc)
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $threads cores; load now: $(cut -d' ' -f1-3 /proc/loadavg)"

go_rate() { # backend -> tokens/s of the model's row
	GOMLX_BACKEND=$1 "$bin" bench -models "$model" -batch "$batch" -seq "$seq" -time "${seconds}s" -sample 0 -results /nonexistent 2>/dev/null |
		awk -v m="pythia-$model" '$1 == m { print $6 }'
}
backends=(go)
if GOMLX_BACKEND=xla:cpu "$bin" bench -config testdata/neox/parallel-f32/config.json -seq 32 -batch 1 -time 0 -sample 0 -results /nonexistent >/dev/null 2>&1; then
	backends+=(xla:cpu)
else
	echo "no XLA CPU plugin here (paperrepro install-plugin installs one): comparing the pure-Go backend only"
fi
declare -A rates
for round in $(seq "$rounds"); do
	t=$(/usr/bin/python3 "$here/bench_torch.py" --model "$model" --batch "$batch" --seq "$seq" --seconds "$seconds" --threads "$threads")
	echo "round $round: $t"
	rates[torch]+="$(echo "$t" | sed -n 's/.*: \([0-9]*\) tokens\/s.*/\1/p') "
	for b in "${backends[@]}"; do
		r=$(go_rate "$b")
		echo "round $round: paperrepro $b pythia-$model $batch x $seq: $r tokens/s"
		rates[$b]+="$r "
	done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
torch=$(echo "${rates[torch]}" | median)
echo "median over $rounds rounds: PyTorch $torch tokens/s"
for b in "${backends[@]}"; do
	r=$(echo "${rates[$b]}" | median)
	awk -v b="$b" -v r="$r" -v t="$torch" 'BEGIN { printf "median over rounds: paperrepro %s %s tokens/s = %.2f x PyTorch\n", b, r, r / t }'
done
