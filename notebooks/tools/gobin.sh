#!/usr/bin/env bash
# Prints the directory `go install` writes binaries to: $GOBIN, else the first
# GOPATH entry's bin. The notebook tools live there, and it need not be on PATH.
set -euo pipefail
gobin=$(go env GOBIN)
if [[ -z $gobin ]]; then
	gopath=$(go env GOPATH)
	gobin=${gopath%%:*}/bin
fi
echo "$gobin"
