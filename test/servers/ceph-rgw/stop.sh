#!/usr/bin/env bash
# Stop the instance started by start.sh in DIR: only the PIDs recorded in DIR/pids, then remove DIR.
# Adapted from the team's shared recipe (servers/ceph-rgw); test/servers/rgw.ts calls it, also from a watchdog.
# Usage: stop.sh [DIR=/tmp/coffer-rgw]
set -uo pipefail
DIR=$(realpath -m "${1:-/tmp/coffer-rgw}")
[ -d "$DIR" ] || exit 0
# stop_pids PID...: SIGTERM the given recorded PIDs, wait up to 10 s, then SIGKILL stragglers
stop_pids() {
  local live=() p alive
  for p in "$@"; do
    # guard against PID reuse: the process must be a ceph daemon using this DIR's config
    if tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -qF -- "$DIR/ceph.conf"; then
      kill -TERM "$p" 2>/dev/null && live+=("$p")
    fi
  done
  for _ in $(seq 100); do
    alive=0; for p in "${live[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.1
  done
  for p in "${live[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
}
# pids file order is mon, osd, rgw: stop osd+rgw first so the osd can tell the mon it
# is going down (with the mon gone it waits osd_mon_shutdown_timeout), then the mon
if [ -f "$DIR/pids" ]; then
  mapfile -t P <"$DIR/pids"
  stop_pids "${P[@]:1}"
  [ ${#P[@]} -gt 0 ] && stop_pids "${P[0]}"
fi
rm -rf "$DIR"
