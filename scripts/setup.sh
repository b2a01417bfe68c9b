#!/usr/bin/env bash
# Installs what Cohort needs on a fresh Debian machine and builds it (without tests), leaving ./cohort runnable.
#   scripts/setup.sh              install missing packages, then build
#   scripts/setup.sh --deps-only  install missing packages only (used by scripts/test.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=lib/jdk.sh
. scripts/lib/jdk.sh

# Debian packages the build and the runtime need. Quiet and idempotent: only what is missing is installed.
# iproute2 and procps: the network-namespace cluster (scripts/cluster.sh) and its tests.
packages=(maven iproute2 procps)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: Cohort needs these Debian packages: ${missing[*]}; run 'sudo apt-get install ${missing[*]}'" \
         "or run this script as root" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cohort_find_jdk
[ "${1:-}" = "--deps-only" ] && exit 0

echo "setup: building Cohort with $JAVA_HOME"
mvn -B -q -Dstyle.color=never -DskipTests package
echo "setup: done. Try: ./cohort run -n 4 -cp examples/target/cohort-examples.jar io.cohort.examples.Ring"
