#!/usr/bin/env bash
# Run by each notebook's first cell (as `!*`, inside GoNB's temporary module):
# points the notebook's go.mod at the checkout the notebook sits in, and pins
# GoNB's own packages (gonbui) to the kernel's version instead of @latest.
set -euo pipefail
root=$(realpath "${GONB_DIR:?GONB_DIR unset: run this from a GoNB cell}/..")
if ! grep -q '^module github.com/paperrepro/paperrepro$' "$root/go.mod" 2>/dev/null; then
	echo "use_checkout: $root/go.mod is not the paperrepro module; open the notebook from the checkout's notebooks/ directory" >&2
	exit 1
fi
go mod edit -require=github.com/paperrepro/paperrepro@v0.0.0 -replace=github.com/paperrepro/paperrepro="$root"
if ! out=$(go get github.com/janpfeifer/gonb@v0.11.1 2>&1); then
	echo "$out" >&2
	exit 1
fi
