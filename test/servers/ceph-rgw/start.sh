#!/usr/bin/env bash
# Start a throw-away single-node Ceph RADOS Gateway (S3 + versioning + Object Lock) for coffer's tests.
# Usage: start.sh [DIR=/tmp/coffer-rgw] [PORT=7480]
# One mon + one in-memory OSD (memstore) + radosgw (beast), all on 127.0.0.1, no auth.
# Idempotent: an instance already recorded in DIR is stopped and replaced by a fresh one.
# Last line on success: endpoint=http://127.0.0.1:PORT access=TESTACCESSKEY secret=TESTSECRETKEY
# Adapted from the team's shared recipe (servers/ceph-rgw); test/servers/rgw.ts runs it. Unlike the
# recipe it never installs packages: a test run must not apt-get; it fails and says what to install.
# Facts behind the settings (Ceph 16, Debian 12): every ms_*_mode must be crc or radosgw hangs at start;
# pool size 1 and pg_num 8 keep one memstore OSD within its PG limit; the OSD is stopped before the mon.
set -euo pipefail
DIR=$(realpath -m "${1:-/tmp/coffer-rgw}")
PORT=${2:-7480}
HERE=$(cd "$(dirname "$0")" && pwd)
DEADLINE=$((SECONDS + 90))
LOG="$DIR/log"

die() { # print reason + tail of the relevant log, kill what we started, keep DIR for debugging
  echo "start.sh: FAILED: $1" >&2
  for f in "${@:2}"; do [ -f "$f" ] && { echo "--- tail $f" >&2; tail -n 30 "$f" >&2; }; done
  [ -f "$DIR/pids" ] && while read -r p; do kill -9 "$p" 2>/dev/null || true; done <"$DIR/pids"
  exit 1
}
# wait_for DESC LOGFILE CMD...: retry CMD until it succeeds or the 90 s budget is spent
wait_for() {
  local desc=$1 log=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $DEADLINE ] || die "timeout waiting for $desc" "$log"
    # a daemon that already exited will never answer
    while read -r p; do kill -0 "$p" 2>/dev/null || die "daemon pid $p exited ($desc)" "$log"; done <"$DIR/pids"
    sleep 0.5
  done
}
# free_port: ask the kernel for an unused TCP port on 127.0.0.1
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])' 2>/dev/null ||
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# 1. packages (Debian 12: Ceph 16.2.x pacific, ~270 MB): required, not installed here
for cmd in ceph-mon ceph-osd radosgw monmaptool ceph-authtool radosgw-admin ceph uuidgen curl; do
  command -v "$cmd" >/dev/null || { echo "start.sh: $cmd not found; install: apt-get install ceph-mon ceph-osd radosgw" >&2; exit 2; }
done

# 2. idempotence: end a previous instance in DIR (by its recorded PIDs only), start clean
[ -f "$DIR/pids" ] && "$HERE/stop.sh" "$DIR" >&2
rm -rf "$DIR"
mkdir -p "$DIR"/{mon,osd/ceph-0,run,rgw,log}
: >"$DIR/pids"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then die "port $PORT already in use"; fi

# 3. config: no cephx, msgr2 in crc mode everywhere (radosgw hangs otherwise), pool size 1
FSID=$(uuidgen)
MON1=$(free_port); MON2=$(free_port)
while [ "$MON2" = "$MON1" ]; do MON2=$(free_port); done
CONF="$DIR/ceph.conf"
cat >"$CONF" <<EOF
[global]
fsid = $FSID
mon_host = [v2:127.0.0.1:$MON2,v1:127.0.0.1:$MON1]
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_ipv6 = false
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
ms_cluster_mode = crc
ms_service_mode = crc
ms_client_mode = crc
ms_mon_cluster_mode = crc
ms_mon_service_mode = crc
ms_mon_client_mode = crc
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
mon_max_pg_per_osd = 1000
osd_crush_chooseleaf_type = 0
mon_allow_pool_delete = true
mon_data_avail_crit = 1
run_dir = $DIR/run
log_file = $LOG/\$name.log
[mon]
mon_data = $DIR/mon/ceph-\$id
[osd]
osd_data = $DIR/osd/ceph-\$id
osd_objectstore = memstore
memstore_device_bytes = 4294967296
osd_op_num_shards = 2
osd_op_num_threads_per_shard = 2
osd_mon_shutdown_timeout = 1
[client.rgw]
rgw_frontends = beast endpoint=127.0.0.1:$PORT
rgw_data = $DIR/rgw
rgw_thread_pool_size = 64
rgw_dynamic_resharding = false
EOF
C=(-c "$CONF")

# 4. mon: monmap + store, then run it
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON2,v1:127.0.0.1:$MON1]" "$DIR/monmap" >"$LOG/mkfs.log" 2>&1 ||
  die "monmaptool" "$LOG/mkfs.log"
ceph-authtool --create-keyring "$DIR/mon.keyring" --gen-key -n mon. >>"$LOG/mkfs.log" 2>&1
ceph-mon "${C[@]}" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/mon.keyring" >>"$LOG/mkfs.log" 2>&1 ||
  die "ceph-mon --mkfs" "$LOG/mkfs.log"
# setsid: own session, so the daemons outlive this script; not a group leader, so $! is the daemon
setsid ceph-mon "${C[@]}" -f -i a >"$LOG/mon.out" 2>&1 </dev/null & echo $! >>"$DIR/pids"

# 5. osd: register it with the mon, mkfs (memstore), run it
OSD_UUID=$(uuidgen)
wait_for "mon" "$LOG/mon.a.log" timeout 10 ceph "${C[@]}" --connect-timeout 5 osd new "$OSD_UUID" 0
ceph-osd "${C[@]}" -i 0 --mkfs --osd-uuid "$OSD_UUID" >>"$LOG/mkfs.log" 2>&1 || die "ceph-osd --mkfs" "$LOG/mkfs.log"
setsid ceph-osd "${C[@]}" -f -i 0 >"$LOG/osd.out" 2>&1 </dev/null & echo $! >>"$DIR/pids"

# 6. radosgw (creates its pools itself once the OSD is up), wait for HTTP
setsid radosgw "${C[@]}" -f -n client.rgw >"$LOG/rgw.out" 2>&1 </dev/null & echo $! >>"$DIR/pids"
wait_for "radosgw on :$PORT" "$LOG/client.rgw.log" curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"

# 7. users (fixed keys): main user, and a second one for bucket-policy tests
mkuser() {
  timeout 30 radosgw-admin "${C[@]}" user create --uid="$1" --display-name="$1" \
    --access-key="$2" --secret-key="$3" >>"$LOG/users.log" 2>&1 || die "radosgw-admin user create $1" "$LOG/users.log"
}
mkuser test TESTACCESSKEY TESTSECRETKEY
mkuser test2 TESTACCESSKEY2 TESTSECRETKEY2
echo "$PORT" >"$DIR/port"
echo "pids=$(paste -sd, "$DIR/pids") mon=127.0.0.1:$MON2 dir=$DIR started_in=${SECONDS}s"
echo "user2: uid=test2 access=TESTACCESSKEY2 secret=TESTSECRETKEY2"
echo "endpoint=http://127.0.0.1:$PORT access=TESTACCESSKEY secret=TESTSECRETKEY"
