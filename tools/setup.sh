#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# setup.sh: everything a fresh Debian 12 machine needs, then one job.
#
#   tools/setup.sh demo   install, build, reserve hugepages, run the demo
#   tools/setup.sh test   install, build, reserve hugepages, run every test
#   tools/setup.sh build  install and build only
#
# Run as root (it installs packages and reserves hugepages).
set -euo pipefail

cd "$(dirname "$0")/.."

PACKAGES=(
	build-essential pkg-config meson ninja-build clang libclang-rt-14-dev
	dpdk dpdk-dev libdpdk-dev liburcu-dev libmnl-dev libcmocka-dev
	iproute2 iputils-ping iputils-arping traceroute iperf3 python3 python3-scapy
	procps
)
HUGEPAGES_2M=${NSDP_HUGEPAGES:-1024}

log() { printf '\n== %s\n' "$*"; }

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup.sh: run as root (packages, hugepages and network namespaces need it)" >&2
		exit 1
	fi
}

install_packages() {
	local missing=()
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		log "packages: all present"
		return
	fi
	log "packages: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
}

reserve_hugepages() {
	local f=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	if [ "$(cat "$f")" -lt "$HUGEPAGES_2M" ]; then
		log "hugepages: reserving $HUGEPAGES_2M x 2 MiB"
		echo "$HUGEPAGES_2M" >"$f"
	fi
	if [ "$(cat "$f")" -lt 256 ]; then
		echo "setup.sh: could only reserve $(cat "$f") hugepages" >&2
		exit 1
	fi
	if ! mount | grep -q 'on /dev/hugepages type hugetlbfs'; then
		mkdir -p /dev/hugepages
		mount -t hugetlbfs nodev /dev/hugepages
	fi
	log "hugepages: $(cat "$f") x 2 MiB reserved, hugetlbfs on /dev/hugepages"
}

build() {
	log "build: gcc, -Werror"
	if [ ! -f build/build.ninja ]; then
		meson setup build -Dwerror=true
	fi
	ninja -C build
}

case "${1:-}" in
demo)
	need_root
	install_packages
	reserve_hugepages
	build
	log "demo"
	exec /usr/bin/python3 tools/demo.py
	;;
test)
	need_root
	install_packages
	reserve_hugepages
	build
	exec tests/run-all.sh
	;;
build)
	need_root
	install_packages
	build
	;;
*)
	echo "usage: tools/setup.sh demo|test|build" >&2
	exit 2
	;;
esac
