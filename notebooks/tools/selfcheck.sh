#!/usr/bin/env bash
# Proves that `make notebooks` goes red: executes each notebook in testdata/,
# every one of which has a failing cell of a different kind (among them an
# output a notebook nobody trusted would not show), and fails unless
# execute.sh rejects each with the expected report. missing_command.ipynb runs
# as the fresh-clone check does (execute.sh --fresh-clone), where a missing
# input must come with the command that fetches it.
set -euo pipefail
tools=$(cd "$(dirname "$0")" && pwd)
# notebook:execute.sh option (or none) -> what its report must say
declare -A want=(
	[panic.ipynb:]='panic: assignment to entry in nil map'
	[compile_error.ipynb:]='undefined: undefinedFunction'
	[shell_error.ipynb:]='exit status 2'
	[no_output.ipynb:]='runs a program but shows no output'
	[untrusted_markdown.ipynb:]='an output of type text/markdown without text/html'
	[missing_command.ipynb:--fresh-clone]='names no command that fetches it'
)
status=0
for key in "${!want[@]}"; do
	nb=${key%%:*} option=${key#*:}
	if out=$("$tools/execute.sh" $option "$tools/testdata/$nb" 2>&1); then
		echo "selfcheck: execute.sh $option passed $nb, which has a failing cell" >&2
		status=1
	elif ! grep -qF -- "${want[$key]}" <<<"$out"; then
		printf 'selfcheck: execute.sh %s failed %s without reporting %q:\n%s\n' "$option" "$nb" "${want[$key]}" "$out" >&2
		status=1
	else
		echo "ok   selfcheck: $nb fails as it should${option:+ ($option)}"
	fi
done
exit $status
