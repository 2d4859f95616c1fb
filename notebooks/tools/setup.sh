#!/usr/bin/env bash
# Installs what executing the notebooks needs: Jupyter (the one already on
# PATH when it works, else Debian's packages: setup_jupyter.sh) and the GoNB
# kernel with goimports and gopls at the versions pinned in this directory's
# go.mod. Idempotent: a second run checks versions and installs
# nothing, so it also works without root once everything is in place.
set -euo pipefail
cd "$(dirname "$0")"

# Jupyter: the one on PATH when it works, else Debian's packages.
./setup_jupyter.sh

# GoNB and goimports come from the tool directives in go.mod; `go install
# ...@latest` does not resolve on every proxy, the pinned versions do.
bin=$(./gobin.sh)
mkdir -p "$bin"
has_version() { # binary module version
	[[ -x $1 ]] && go version -m "$1" 2>/dev/null | grep -qP "^\tmod\t$2\t$3\t"
}
if ! has_version "$bin/gonb" github.com/janpfeifer/gonb v0.11.5 ||
	! has_version "$bin/goimports" golang.org/x/tools v0.36.0; then
	echo "setup: installing gonb and goimports into $bin"
	GOBIN=$bin go install tool
fi
# gopls gives a reader auto-completion in the browser; @latest needs a newer Go.
if ! has_version "$bin/gopls" golang.org/x/tools/gopls v0.23.0; then
	echo "setup: installing gopls into $bin"
	GOBIN=$bin go install golang.org/x/tools/gopls@v0.23.0
fi

# Register the kernel with Jupyter (writes kernel.json naming this gonb binary).
PATH=$bin:$PATH "$bin/gonb" --install
# (grep reads the whole list: grep -q on the pipe would stop jupyter with
# SIGPIPE, which pipefail reports as a failure)
kernels=$(jupyter kernelspec list 2>/dev/null)
grep -q '^ *gonb ' <<<"$kernels" || {
	echo "setup: jupyter does not list the gonb kernel after gonb --install" >&2
	exit 1
}
