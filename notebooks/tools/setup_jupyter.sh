#!/usr/bin/env bash
# Makes sure `jupyter nbconvert` can execute notebooks, a reader can open
# them, and `make notebooks` can look at them in a browser as a reader would
# (Chromium, headless: browsercheck). A working jupyter with nbconvert already
# on PATH (conda, pip, or any system's packages) is used as it is, and so is a
# Chromium or Chrome on PATH or named by $CHROMIUM. What is missing comes from
# Debian's packages; where there is no apt-get the message says how to
# install it. Idempotent: once both are there it does nothing, so it needs no
# root then.
set -euo pipefail

works() {
	jupyter nbconvert --version >/dev/null 2>&1 && jupyter kernelspec list >/dev/null 2>&1
}

browser() {
	[[ -n ${CHROMIUM:-} ]] && return 0
	local b
	for b in chromium chromium-browser google-chrome google-chrome-stable; do
		command -v "$b" >/dev/null && return 0
	done
	return 1
}

# Debian's packages: the command line nbconvert needs to execute notebooks
# headless, the classic notebook server a reader opens them with, and the
# browser.
debs=()
works || debs+=(jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client jupyter-notebook)
browser || debs+=(chromium)
((${#debs[@]})) || exit 0

if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
	works || cat >&2 <<'MSG'
setup: no working Jupyter here (`jupyter nbconvert --version` fails), and no apt-get to install it.
Install Jupyter with nbconvert and ipykernel in one of these ways, then run `make setup` again:
  pip install --user notebook nbconvert ipykernel            (and put ~/.local/bin on PATH)
  conda install -c conda-forge notebook nbconvert ipykernel  (in the environment you run make from)
  brew install jupyterlab                                     (macOS)
MSG
	browser || echo "setup: no Chromium or Chrome on PATH (make notebooks opens the notebooks in it), and no apt-get to install it: install one, or name it with CHROMIUM=/path/to/chrome" >&2
	exit 1
fi

missing=()
for deb in "${debs[@]}"; do
	if [[ $(dpkg-query -W -f='${Status}' "$deb" 2>/dev/null) != *'install ok installed'* ]]; then
		missing+=("$deb")
	fi
done
if ((${#missing[@]})); then
	sudo=()
	if [[ $(id -u) != 0 ]]; then
		command -v sudo >/dev/null || {
			echo "setup: need root to install ${missing[*]} (apt-get); run as root or install sudo" >&2
			exit 1
		}
		sudo=(sudo)
	fi
	echo "setup: installing ${missing[*]}"
	# An apt-get or dpkg already running (unattended upgrades, another setup)
	# holds the lock: wait for it, up to 10 minutes, instead of failing.
	"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! works; then
	echo "setup: \`jupyter nbconvert --version\` still fails with Debian's ${debs[*]} installed; the jupyter on PATH is $(command -v jupyter || echo 'none'): fix or remove a broken one that comes first" >&2
	exit 1
fi
if ! browser; then
	echo "setup: no chromium on PATH with Debian's chromium installed: fix PATH, or name a Chromium or Chrome with CHROMIUM" >&2
	exit 1
fi
