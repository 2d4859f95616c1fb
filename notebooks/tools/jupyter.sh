#!/usr/bin/env bash
# Opens the notebooks for reading in Jupyter: JupyterLab when it is
# installed, else the classic Notebook (6, Debian's, or 7), serving the
# notebooks/ folder, with the GoNB kernel `make setup` installed on PATH and
# the Go settings the Makefile uses. As root it adds --allow-root, which both
# refuse to start without. Other arguments go to Jupyter as they are, e.g.
#
#	notebooks/tools/jupyter.sh --no-browser --port 8888
#
# The server's token: set JUPYTER_TOKEN (both Notebook 6 and the Jupyter
# Server of Notebook 7 and JupyterLab read it; their --NotebookApp.token and
# --ServerApp.token options each ignore the other's); by default Jupyter
# makes one and prints the URL with it.
set -euo pipefail
tools=$(cd "$(dirname "$0")" && pwd)
PATH=$("$tools/gobin.sh"):$PATH
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3} GOEXPERIMENT=${GOEXPERIMENT:-simd}

app=notebook
if jupyter lab --version >/dev/null 2>&1; then
	app=lab
elif ! jupyter notebook --version >/dev/null 2>&1; then
	echo "jupyter.sh: neither \`jupyter lab\` nor \`jupyter notebook\` runs here: make setup installs Jupyter" >&2
	exit 1
fi
args=()
if [[ $(id -u) == 0 ]]; then
	args+=(--allow-root)
fi
cd "$tools/../"
exec jupyter "$app" "${args[@]}" "$@"
