#!/usr/bin/env bash
# Builds Cohort and runs every test (unit, multi-process jobs, stress, failure), with the style check.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh --deps-only
# shellcheck source=lib/jdk.sh
. scripts/lib/jdk.sh
cohort_find_jdk
mvn -B -Dstyle.color=never verify "$@"
