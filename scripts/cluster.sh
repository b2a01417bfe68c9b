#!/usr/bin/env bash
# A cluster of N hosts on this machine: N network namespaces joined by veth pairs on a bridge, each with its own
# address and a Cohort agent, so that what crosses between "hosts" really crosses a network stack.
#
#   scripts/cluster.sh up N [--slots S] [--join FILE]
#                                         create hosts n1..nN (10.77.0.1..N) and start an agent in each
#                                         (with --join, the agents also join the head node of that join.json;
#                                         the machine itself is 10.77.0.254 on the cluster's bridge)
#   scripts/cluster.sh run ARGS...        cohort run --hostfile <the cluster's hosts> ARGS...
#   scripts/cluster.sh link nK down|up    cut or restore host nK's network link
#   scripts/cluster.sh status             hosts, addresses, agents
#   scripts/cluster.sh down               stop the agents and remove everything (also after a failure)
#
# Needs root (network namespaces). State lives in $COHORT_CLUSTER_DIR (default /tmp/cohort-cluster).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${COHORT_CLUSTER_DIR:-/tmp/cohort-cluster}"
subnet="${COHORT_CLUSTER_SUBNET:-10.77.0}"
bridge="cohort-br0"
port=7470

die() { echo "cluster.sh: $*" >&2; exit 2; }

need_root() {
  [ "$(id -u)" = 0 ] || die "needs root to create network namespaces (run it with sudo, or as root as CI does)"
  command -v ip >/dev/null || die "the 'ip' command is missing: install iproute2"
}

hosts_up() { [ -f "$state/size" ] && cat "$state/size" || echo 0; }

down() {
  need_root
  local n
  n="$(hosts_up)"
  if [ -d "$state" ]; then
    for pidfile in "$state"/n*.pid; do
      [ -f "$pidfile" ] && kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    done
    # Agents stop their ranks and remove the jobs' /dev/shm files and directories on SIGTERM: give them 5 s.
    for _ in $(seq 1 50); do
      local alive=0
      for pidfile in "$state"/n*.pid; do
        [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && alive=1
      done
      [ "$alive" = 0 ] && break
      sleep 0.1
    done
    for pidfile in "$state"/n*.pid; do
      [ -f "$pidfile" ] && kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
    done
  fi
  # Namespaces we made, whatever the recorded size says (a failed 'up' may not have recorded it).
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^cohort-n[0-9]+$' || true); do
    # Anything still running inside (ranks of a job) goes with its namespace.
    for pid in $(ip netns pids "$ns" 2>/dev/null || true); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns delete "$ns" 2>/dev/null || true
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^cohort-v[0-9]+$' || true); do
    ip link delete "$link" 2>/dev/null || true
  done
  ip link delete "$bridge" 2>/dev/null || true
  rm -rf "$state"
  [ "$n" = 0 ] || echo "cluster.sh: removed $n hosts"
}

up() {
  need_root
  local n="${1:-}" slots=2 join=""
  shift || true
  while [ $# -gt 0 ]; do
    case "$1" in
      --slots) slots="$2"; shift 2 ;;
      --join) join="$(readlink -f "$2")"; [ -f "$join" ] || die "--join: no file '$2'"; shift 2 ;;
      *) die "unknown option '$1' for up; use: up N [--slots S] [--join FILE]" ;;
    esac
  done
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 200 ] || die "up needs a host count between 1 and 200 (got '$n')"
  [[ "$slots" =~ ^[0-9]+$ ]] && [ "$slots" -ge 1 ] || die "--slots must be a positive number (got '$slots')"
  [ "$(hosts_up)" = 0 ] || die "a cluster of $(hosts_up) hosts is up already; run 'scripts/cluster.sh down' first"
  [ -f "$root/cli/target/cohort-cli.jar" ] || die "Cohort is not built; run scripts/setup.sh first"
  trap 'echo "cluster.sh: up failed; removing what was made" >&2; down >/dev/null 2>&1 || true' ERR
  trap 'echo "cluster.sh: up interrupted; removing what was made" >&2; down >/dev/null 2>&1 || true; exit 130' INT TERM
  mkdir -p "$state"
  echo "$n" > "$state/size"
  COHORT_SECRET_FILE="$state/secret" "$root/cohort" secret --out "$state/secret" >/dev/null
  ip link add "$bridge" type bridge
  ip addr add "$subnet.254/24" dev "$bridge"
  ip link set "$bridge" up
  : > "$state/hosts"
  for i in $(seq 1 "$n"); do
    local ns="cohort-n$i" veth="cohort-v$i"
    ip netns add "$ns"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ip link set "$veth" master "$bridge"
    ip link set "$veth" up
    ip -n "$ns" addr add "$subnet.$i/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    echo "$subnet.$i slots=$slots" >> "$state/hosts"
    ip netns exec "$ns" "$root/cohort" node start --listen "$subnet.$i:$port" --slots "$slots" --name "n$i" \
      --secret "$state/secret" --work-dir "$state/work-n$i" ${join:+--join "$join"} > "$state/n$i.log" 2>&1 &
    echo $! > "$state/n$i.pid"
  done
  for i in $(seq 1 "$n"); do
    for _ in $(seq 1 300); do
      grep -q "ready on" "$state/n$i.log" 2>/dev/null && break
      kill -0 "$(cat "$state/n$i.pid")" 2>/dev/null || { cat "$state/n$i.log" >&2; false; }
      sleep 0.1
    done
    grep -q "ready on" "$state/n$i.log" || { echo "cluster.sh: agent n$i did not start in 30 s" >&2; false; }
  done
  trap - ERR INT TERM
  echo "cluster.sh: $n hosts up ($subnet.1-$subnet.$n, $slots slots each); hosts file $state/hosts"
}

run() {
  [ "$(hosts_up)" != 0 ] || die "no cluster is up; run 'scripts/cluster.sh up N' first"
  exec "$root/cohort" run --hostfile "$state/hosts" --secret "$state/secret" "$@"
}

link() {
  need_root
  local host="${1:-}" dir="${2:-}"
  [[ "$host" =~ ^n([0-9]+)$ ]] || die "link needs a host name like n2 (got '$host')"
  [ "$dir" = down ] || [ "$dir" = up ] || die "link needs 'down' or 'up' (got '$dir')"
  ip link set "cohort-v${BASH_REMATCH[1]}" "$dir"
}

status() {
  local n
  n="$(hosts_up)"
  [ "$n" != 0 ] || { echo "no cluster is up"; return 0; }
  for i in $(seq 1 "$n"); do
    local alive="stopped"
    kill -0 "$(cat "$state/n$i.pid" 2>/dev/null)" 2>/dev/null && alive="running (pid $(cat "$state/n$i.pid"))"
    echo "n$i  $subnet.$i:$port  agent $alive"
  done
}

cmd="${1:-}"
shift || true
case "$cmd" in
  up) up "$@" ;;
  down) down ;;
  run) run "$@" ;;
  link) link "$@" ;;
  status) status ;;
  *) die "usage: scripts/cluster.sh up N [--slots S] | run ARGS... | link nK down|up | status | down" ;;
esac
