#!/usr/bin/env bash
# Proves that `make notebooks` goes red: executes each notebook in testdata/,
# every one of which has a failing cell of a different kind, and fails unless
# execute.sh rejects each with the expected report.
set -euo pipefail
tools=$(cd "$(dirname "$0")" && pwd)
declare -A want=(
	[panic.ipynb]='panic: assignment to entry in nil map'
	[compile_error.ipynb]='undefined: undefinedFunction'
	[shell_error.ipynb]='exit status 2'
	[no_output.ipynb]='runs a program but shows no output'
)
status=0
for nb in "${!want[@]}"; do
	if out=$("$tools/execute.sh" "$tools/testdata/$nb" 2>&1); then
		echo "selfcheck: execute.sh passed $nb, which has a failing cell" >&2
		status=1
	elif ! grep -qF -- "${want[$nb]}" <<<"$out"; then
		printf 'selfcheck: execute.sh failed %s without reporting %q:\n%s\n' "$nb" "${want[$nb]}" "$out" >&2
		status=1
	else
		echo "ok   selfcheck: $nb fails as it should"
	fi
done
exit $status
