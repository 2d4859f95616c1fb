#!/usr/bin/env bash
# Makes sure `jupyter nbconvert` can execute notebooks and a reader can open
# them. A working jupyter with nbconvert already on PATH (conda, pip, or any
# system's packages) is used as it is. Otherwise Jupyter comes from Debian's
# packages, and where there is no apt-get the message says how to install it.
# Idempotent: once jupyter works it does nothing, so it needs no root then.
set -euo pipefail

works() {
	jupyter nbconvert --version >/dev/null 2>&1 && jupyter kernelspec list >/dev/null 2>&1
}

if works; then
	exit 0
fi

if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
	cat >&2 <<'MSG'
setup: no working Jupyter here (`jupyter nbconvert --version` fails), and no apt-get to install it.
Install Jupyter with nbconvert and ipykernel in one of these ways, then run `make setup` again:
  pip install --user notebook nbconvert ipykernel            (and put ~/.local/bin on PATH)
  conda install -c conda-forge notebook nbconvert ipykernel  (in the environment you run make from)
  brew install jupyterlab                                     (macOS)
MSG
	exit 1
fi

# Debian's packages: the command line nbconvert needs to execute notebooks
# headless, and the classic notebook server a reader opens them with.
debs=(jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client jupyter-notebook chromium)
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
