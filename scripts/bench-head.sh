#!/usr/bin/env bash
# The head node's throughput (issue 5 §6): a fresh head node on this machine with local agents, then
# `cohort bench head`: N one-rank jobs of /bin/true submitted through the REST API (TLS, bearer token) by
# concurrent clients; prints accepted jobs/s (each answered after its commit) and completed jobs/s.
#
#   scripts/bench-head.sh [--jobs N] [--warmup W] [--agents K] [--slots S] [--concurrency C] [--held]
#
# --held submits the jobs held, so none runs: how fast the head node alone makes submissions durable.
#
# W jobs (default 15000) run first, from the same client, and are not counted: a head node runs for days, and the
# rates are meant to be its steady state, not its JIT warm-up. On a slow 2-core VM, C2 still took 39% of the head
# node's CPU 30 s into a run; after about 90 s of jobs it is mostly done.
#
# Everything it starts is stopped, and its data directory removed, when it ends (also on failure or Ctrl-C).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs=10000 warmup=15000 agents=2 slots=8 concurrency=16 held=()
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) jobs="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --agents) agents="$2"; shift 2 ;;
    --slots) slots="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --held) held=(--held); shift ;;
    -h|--help) sed -n 2,13p "$0"; exit 0 ;;
    *) echo "bench-head.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -f "$root/cli/target/cohort-cli.jar" ] || { echo "bench-head.sh: Cohort is not built; run scripts/setup.sh" >&2; exit 2; }
data="$(mktemp -d /tmp/cohort-bench-head.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # A head node with thousands of jobs in its store takes a few seconds to close it cleanly.
  for _ in $(seq 1 50); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT
port=$((20000 + RANDOM % 20000))
"$root/cohort" head init --data "$data/head" --advertise "127.0.0.1:$port" > /dev/null
"$root/cohort" head start --data "$data/head" > "$data/head.log" 2>&1 &
pids+=($!)
for i in $(seq 1 "$agents"); do
  "$root/cohort" node start --join "$data/head/join.json" --listen 127.0.0.1:0 --name "a$i" --slots "$slots" \
    --work-dir "$data/work-a$i" > "$data/a$i.log" 2>&1 &
  pids+=($!)
done
export COHORT_CONFIG="$data/head/client.json"
for _ in $(seq 1 120); do
  up=$("$root/cohort" nodes 2>/dev/null | grep -c ' UP ' || true)
  [ "$up" = "$agents" ] && break
  sleep 0.5
done
[ "$up" = "$agents" ] || { echo "bench-head.sh: only $up of $agents agents joined; see $data" >&2; cat "$data/head.log" >&2; exit 1; }
echo "# head node at 127.0.0.1:$port, $agents agents with $slots slots each, $(nproc) cores; $jobs jobs, $concurrency clients"
# The warm-up runs in the same client as the counted jobs, so that the client too (a JVM on the same 2 cores) is
# compiled by then; the CPU per job of the head node and of the agents (with the ranks they reaped) is read from /proc.
"$root/cohort" bench head --config "$data/head/client.json" --jobs "$jobs" --warmup "$warmup" \
  --concurrency "$concurrency" "${held[@]}" --cpu-of "head=${pids[0]}" --cpu-of "agents=$(IFS=,; echo "${pids[*]:1}")"
