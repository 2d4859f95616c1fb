#!/usr/bin/env bash
# Installs what 'make slurm-test' needs: Slurm's controller, node daemon and
# client commands, and munge, from Debian packages. Idempotent: when they are
# installed it only checks (a few milliseconds), so it also works without root.
# Where they cannot be installed (no apt-get, no root) it says so and exits 0,
# and the Slurm test skips - except under CI=true, where both fail.
set -euo pipefail

debs=(slurmctld slurmd slurm-client munge)
missing=()
for deb in "${debs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$deb")
	fi
done
((${#missing[@]})) || exit 0

cannot() {
	if [[ ${CI:-} == true ]]; then
		echo "setup-slurm: $* (CI=true: the Slurm test must run)" >&2
		exit 1
	fi
	echo "setup-slurm: $*; the Slurm test will skip" >&2
	exit 0
}
command -v apt-get >/dev/null || cannot "cannot install ${missing[*]}: no apt-get here"
sudo=()
if [[ $(id -u) != 0 ]]; then
	command -v sudo >/dev/null || cannot "need root to install ${missing[*]} (apt-get)"
	sudo=(sudo)
fi
echo "setup-slurm: installing ${missing[*]}"
# The packages' own services are not used: the test runs its own daemons on
# its own ports. An apt-get already running is waited for.
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
