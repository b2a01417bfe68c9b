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
# Only for tests: chromium for the dashboard's browser test (cli DashboardIT). Installed as root (CI); a developer
# without it gets that test skipped.
test_packages=(chromium)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for package in "${packages[@]}"; do
  installed "$package" || missing+=("$package")
done
for package in "${test_packages[@]}"; do
  if ! installed "$package"; then
    if [ "$(id -u)" -eq 0 ]; then
      missing+=("$package")
    else
      echo "setup: note: '$package' is not installed, so the dashboard browser test will be skipped" >&2
    fi
  fi
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

# The browser test's driver, playwright-core, pinned in its package-lock.json. It drives Debian's chromium and never
# downloads a browser of its own. Reinstalled only when the lock file changed.
browser_test=head-node/src/test/browser
if command -v npm > /dev/null 2>&1; then
  if [ ! -d "$browser_test/node_modules/playwright-core" ] \
     || [ "$browser_test/package-lock.json" -nt "$browser_test/node_modules/.package-lock.json" ]; then
    echo "setup: installing the browser test's playwright-core (npm ci)"
    (cd "$browser_test" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error > /dev/null)
  fi
else
  echo "setup: note: no npm (Node.js), so the dashboard browser test will be skipped" >&2
fi

cohort_find_jdk
[ "${1:-}" = "--deps-only" ] && exit 0

echo "setup: building Cohort with $JAVA_HOME"
mvn -B -q -Dstyle.color=never -DskipTests package
echo "setup: done. Try: ./cohort run -n 4 -cp examples/target/cohort-examples.jar io.cohort.examples.Ring"
