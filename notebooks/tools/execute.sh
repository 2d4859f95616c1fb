#!/usr/bin/env bash
# Executes notebooks headless with the GoNB kernel and fails on any error.
#
#   execute.sh nb.ipynb...            execute into a temporary directory (the checkout stays clean)
#   execute.sh --inplace nb.ipynb...  execute and, when all pass, replace each notebook with its executed copy
#
# nbconvert runs every cell (--allow-errors) and writes the executed notebook;
# nbcheck then fails on cells GoNB reported as failed (compile errors) and on
# the failures GoNB reports only as "exit status N" on stderr.
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

# A private kernelspec, found first through JUPYTER_PATH: the installed GoNB
# with --raw_error, so that compile errors reach the executed notebook (and
# nbcheck's report) as plain text instead of HTML.
mkdir -p "$work/jupyter/kernels/gonb"
printf '{"argv": ["%s", "--kernel", "{connection_file}", "--raw_error"], "display_name": "Go (gonb)", "language": "go"}\n' \
	"$(command -v gonb)" >"$work/jupyter/kernels/gonb/kernel.json"
export JUPYTER_PATH=$work/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}

failed=()
for nb in "$@"; do
	name=$(basename "$nb")
	start=$EPOCHREALTIME
	status=ok
	if ! jupyter nbconvert --to notebook --execute --allow-errors \
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
