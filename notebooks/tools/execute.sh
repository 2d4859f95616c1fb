#!/usr/bin/env bash
# Executes notebooks headless with the GoNB kernel and fails on any error.
#
#   execute.sh nb.ipynb...                execute into a temporary directory (the checkout stays clean)
#   execute.sh --inplace nb.ipynb...      execute and, when all pass and no input was missing,
#                                         replace each notebook with its executed copy (to commit)
#   execute.sh --fresh-clone nb.ipynb...  execute as on a reader's fresh clone: in a copy of the
#                                         checkout's files (tracked, and untracked but not ignored:
#                                         no results/), with no ../shared, an empty data folder and
#                                         Hugging Face cache, and CI unset; every program cell must
#                                         show its result or the command that fetches its input
#
# With KEEP_EXECUTED=dir set, the executed notebooks are copied into dir; with
# SCREENSHOTS=dir, browsercheck writes each executed notebook's page there.
#
# nbconvert runs every cell (--allow-errors) and writes the executed notebook;
# nbcheck then fails on cells GoNB reported as failed (compile errors), on
# the failures GoNB reports only as "exit status N" on stderr, on outputs an
# untrusted notebook would not show, and on what the mode forbids (see
# nbcheck). Last, browsercheck opens the executed notebooks in headless
# Chromium against Jupyter Notebook 6, untrusted, as a reader of a fresh
# clone would, and fails on any output the page does not show.
set -euo pipefail
tools=$(cd "$(dirname "$0")" && pwd)
mode=check
case ${1-} in
--inplace | --fresh-clone)
	mode=${1#--}
	shift
	;;
esac
(($#)) || {
	echo "usage: execute.sh [--inplace | --fresh-clone] nb.ipynb..." >&2
	exit 2
}

# nbconvert starts the kernel from kernel.json; GoNB then runs go, goimports
# and gopls from PATH, where `go install` put them.
PATH=$("$tools/gobin.sh"):$PATH
export PATH

work=$(mktemp -d)
trap 'keep_executed; rm -rf "$work"' EXIT
# KEEP_EXECUTED=dir keeps the executed copies there, to read what a failing run showed.
keep_executed() {
	if [[ -n ${KEEP_EXECUTED-} && -d $work/out ]]; then
		mkdir -p "$KEEP_EXECUTED" && cp "$work/out/"*.ipynb "$KEEP_EXECUTED/"
	fi
}
(cd "$tools" && go build -o "$work/nbcheck" ./nbcheck && go build -o "$work/browsercheck" ./browsercheck)

# A private kernelspec, found first through JUPYTER_PATH: the installed GoNB
# with --raw_error, so that compile errors reach the executed notebook (and
# nbcheck's report) as plain text instead of HTML.
mkdir -p "$work/jupyter/kernels/gonb"
printf '{"argv": ["%s", "--kernel", "{connection_file}", "--raw_error"], "display_name": "Go (gonb)", "language": "go"}\n' \
	"$(command -v gonb)" >"$work/jupyter/kernels/gonb/kernel.json"
export JUPYTER_PATH=$work/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}

nbcheck_flags=()
case $mode in
inplace) nbcheck_flags=(-complete) ;;
fresh-clone)
	nbcheck_flags=(-fresh)
	root=$(cd "$tools/../.." && pwd)
	clone=$work/clone
	mkdir -p "$clone" "$work/data" "$work/huggingface/hub"
	# The files a clone has: git's list when this is a git checkout, else all but results/.
	if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		(cd "$root" && git ls-files -z --cached --others --exclude-standard |
			tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$clone"
	else
		(cd "$root" && tar --exclude=./results -cf - .) | tar -xf - -C "$clone"
	fi
	unset CI
	export PAPERREPRO_SHARED=$work/no-shared PAPERREPRO_DATA=$work/data
	export HF_HOME=$work/huggingface HF_HUB_CACHE=$work/huggingface/hub
	;;
esac

failed=()
for nb in "$@"; do
	name=$(basename "$nb")
	input=$nb
	if [[ $mode == fresh-clone ]]; then
		input=$clone/$(realpath --relative-to="$root" "$nb")
	fi
	start=$EPOCHREALTIME
	status=ok
	if ! jupyter nbconvert --to notebook --execute --allow-errors \
		--ExecutePreprocessor.kernel_name=gonb \
		--ExecutePreprocessor.timeout=600 \
		--ExecutePreprocessor.record_timing=False \
		--output-dir "$work/out" "$input" >"$work/$name.log" 2>&1; then
		status=FAIL
		tail -n 40 "$work/$name.log" >&2
	elif ! (cd "$work/out" && "$work/nbcheck" "${nbcheck_flags[@]}" "$name"); then
		status=FAIL
	fi
	awk -v s="$status" -v nb="$nb" -v t0="$start" -v t1="$EPOCHREALTIME" 'BEGIN { printf "%-4s %-40s %6.1fs\n", s, nb, t1 - t0 }'
	[[ $status == ok ]] || failed+=("$nb")
done

if ((${#failed[@]})); then
	echo "notebooks failed: ${failed[*]}" >&2
	exit 1
fi
"$work/browsercheck" ${SCREENSHOTS:+-screenshots "$SCREENSHOTS"} "$work/out/"*.ipynb
if [[ $mode == inplace ]]; then
	for nb in "$@"; do
		cp "$work/out/$(basename "$nb")" "$nb"
	done
fi
