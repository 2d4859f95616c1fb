#!/usr/bin/env bash
# Run by each notebook's first cell (as `!*`, inside GoNB's temporary module):
# points the notebook's go.mod at the checkout the notebook sits in (the
# nearest folder above it whose go.mod is the paperrepro module), and pins
# GoNB's own packages (gonbui) to the kernel's version instead of @latest.
set -euo pipefail
dir=$(realpath "${GONB_DIR:?GONB_DIR unset: run this from a GoNB cell}")
root=
while [[ $dir != / ]]; do
	if grep -q '^module github.com/paperrepro/paperrepro$' "$dir/go.mod" 2>/dev/null; then
		root=$dir
		break
	fi
	dir=$(dirname "$dir")
done
if [[ -z $root ]]; then
	echo "use_checkout: no folder above $GONB_DIR holds the paperrepro module's go.mod; open the notebook from the checkout's notebooks/ directory" >&2
	exit 1
fi
go mod edit -require=github.com/paperrepro/paperrepro@v0.0.0 -replace=github.com/paperrepro/paperrepro="$root"
if ! out=$(go get github.com/janpfeifer/gonb@v0.11.5 2>&1); then
	echo "$out" >&2
	exit 1
fi
