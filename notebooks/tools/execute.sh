#!/usr/bin/env bash
# Executes notebooks headless with the GoNB kernel and fails on any error.
#
#   execute.sh nb.ipynb...            execute into a temporary directory (the checkout stays clean)
#   execute.sh --inplace nb.ipynb...  execute and, when all pass, replace each notebook with its executed copy
#
# nbconvert stops at a cell GoNB reports as failed (compile errors); nbcheck
# catches the failures GoNB reports only as "exit status N" on stderr.
set -euo pipefail
tools=$(cd "$(dirname "$0")" && pwd)
inplace=false
if [[ ${1-} == --inplace ]]; then
	inplace=true
	shift
fi
(($#)) || {
	echo "usage: execute.sh [--inplace] nb.ipynb..." >&2
	exit 2
}

# nbconvert starts the kernel from kernel.json; GoNB then runs go, goimports
# and gopls from PATH, where `go install` put them.
PATH=$("$tools/gobin.sh"):$PATH
export PATH

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$tools" && go build -o "$work/nbcheck" ./nbcheck)

failed=()
for nb in "$@"; do
	name=$(basename "$nb")
	start=$EPOCHREALTIME
	status=ok
	if ! jupyter nbconvert --to notebook --execute \
		--ExecutePreprocessor.kernel_name=gonb \
		--ExecutePreprocessor.timeout=600 \
		--ExecutePreprocessor.record_timing=False \
		--output-dir "$work/out" "$nb" >"$work/$name.log" 2>&1; then
		status=FAIL
		tail -n 40 "$work/$name.log" >&2
	elif ! (cd "$work/out" && "$work/nbcheck" "$name"); then
		status=FAIL
	fi
	awk -v s="$status" -v nb="$nb" -v t0="$start" -v t1="$EPOCHREALTIME" 'BEGIN { printf "%-4s %-40s %6.1fs\n", s, nb, t1 - t0 }'
	[[ $status == ok ]] || failed+=("$nb")
done

if ((${#failed[@]})); then
	echo "notebooks failed: ${failed[*]}" >&2
	exit 1
fi
if $inplace; then
	for nb in "$@"; do
		cp "$work/out/$(basename "$nb")" "$nb"
	done
fi
