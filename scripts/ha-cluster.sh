#!/usr/bin/env bash
# A highly available PostgreSQL 15 cluster on this machine, for trying and testing pgcache against
# a real failover manager: two PostgreSQL nodes managed by Patroni (3.0, Debian's `patroni`) with
# one etcd (3.4, Debian's `etcd-server`, v3 API) as Patroni's consensus store, synchronous
# replication on. Everything listens on free loopback ports and lives in one directory, which
# `stop` removes. docs/operations.md ("Running against Patroni") says how pgcache is set up for it.
#
#   scripts/ha-cluster.sh start        install what is missing, start etcd and both nodes, wait for
#                                      a primary and a synchronous standby, print the JDBC URL
#   scripts/ha-cluster.sh status       members, roles, timelines and replication lag
#   scripts/ha-cluster.sh url          the multi-host JDBC URL that follows the primary
#   scripts/ha-cluster.sh failover     the primary's machine dies: its Patroni and its PostgreSQL
#                                      (postmaster and every backend) are killed with SIGKILL at
#                                      once; waits until the standby has been promoted
#   scripts/ha-cluster.sh switchover   a planned `patronictl switchover` to the standby; waits until
#                                      the old primary streams again as the synchronous standby
#   scripts/ha-cluster.sh stop         stops everything it started and removes the directory
#
# The directory is $PGCACHE_HA_DIR (default: $TMPDIR/pgcache-ha, or /tmp/pgcache-ha), so several
# clusters may run side by side. The processes run as user postgres when started as root (initdb
# refuses root). Authentication is `trust` on 127.0.0.1 only: a cluster for one machine, not for
# production. Timings are shortened for tests (ttl 10 s, loop_wait 2 s: a dead primary is replaced
# about 10 s after it dies; production keeps Patroni's defaults, ttl 30 s, loop_wait 10 s).
set -euo pipefail

DIR="${PGCACHE_HA_DIR:-${TMPDIR:-/tmp}/pgcache-ha}"
PG_BIN=/usr/lib/postgresql/15/bin
SCOPE=pgcache-ha
PY=/usr/bin/python3

die() { echo "ha-cluster: $*" >&2; exit 1; }
say() { echo "ha-cluster: $*"; }

# Runs a command as the user the cluster belongs to.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_missing() {
  local missing=()
  [ -x /usr/bin/patroni ] || missing+=(patroni)
  [ -x /usr/bin/etcd ] || missing+=(etcd-server)
  [ -x "$PG_BIN/initdb" ] || missing+=(postgresql-15)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]}: run as root, or apt-get install -y ${missing[*]}"
  say "installing ${missing[*]}"
  # Debian starts a packaged daemon on install; this cluster runs its own, so keep them from starting
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  (DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
    || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; }) \
    || { rm -f /usr/sbin/policy-rc.d; die "could not install ${missing[*]}"; }
  rm -f /usr/sbin/policy-rc.d
  [ -x /usr/bin/patroni ] && [ -x /usr/bin/etcd ] && [ -x "$PG_BIN/initdb" ] || die "installed, yet something is still missing"
}

free_ports() { # free_ports N: N distinct free loopback ports, one a line
  "$PY" - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print("\n".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# Reads a value written by start into $DIR/ports.
port() { sed -n "s/^$1=//p" "$DIR/ports"; }

node_config() { # node_config NAME PG_PORT REST_PORT
  local name=$1 pg=$2 rest=$3 etcd
  etcd=$(port etcd_client)
  cat <<EOF
scope: $SCOPE
namespace: /service/
name: $name
restapi:
  listen: 127.0.0.1:$rest
  connect_address: 127.0.0.1:$rest
etcd3:
  hosts: 127.0.0.1:$etcd
bootstrap:
  dcs:
    # short for tests: a primary that stops renewing its leader key is replaced ttl seconds later
    # (loop_wait + 2 * retry_timeout must stay <= ttl)
    ttl: 10
    loop_wait: 2
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    # a commit is acknowledged once the standby has it (synchronous_commit = on), and only a
    # synchronous standby may be promoted: an acknowledged write survives the primary's death.
    # Not strict: when no standby is left (after a failover, until the old primary comes back),
    # the primary accepts writes alone rather than making every write wait for a standby.
    synchronous_mode: true
    synchronous_mode_strict: false
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_log_hints: "on"
        max_connections: 100
        max_wal_senders: 10
        max_replication_slots: 10
  initdb:
  - encoding: UTF8
  - locale: C.UTF-8
postgresql:
  listen: 127.0.0.1:$pg
  connect_address: 127.0.0.1:$pg
  data_dir: $DIR/$name/data
  bin_dir: $PG_BIN
  pgpass: $DIR/$name/pgpass
  authentication:
    superuser:
      username: postgres
    replication:
      username: replicator
    rewind:
      username: postgres
  pg_hba:
  - local all all trust
  - host all all 127.0.0.1/32 trust
  - host replication replicator 127.0.0.1/32 trust
  parameters:
    unix_socket_directories: $DIR/$name
    listen_addresses: 127.0.0.1
    logging_collector: "off"
    log_line_prefix: "%m [%p] $name "
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
EOF
}

# Starts a command in the background as the owner, in a session of its own, its output in a log.
spawn() { # spawn LOG CMD...
  local log=$1
  shift
  if [ "$(id -u)" = 0 ]; then
    setsid runuser -u postgres -- "$@" >>"$log" 2>&1 < /dev/null &
  else
    setsid "$@" >>"$log" 2>&1 < /dev/null &
  fi
}

# The pid of this cluster's process whose command line holds TEXT (a path inside $DIR, so never
# another cluster's process), leaving out the runuser/setsid that started it.
pid_of() { # pid_of PROGRAM TEXT
  ps -eo pid=,args= | awk -v prog="$1" -v text="$2" '
    index($0, text) && ($2 == prog || $3 == prog) { print $1; exit }'
}
patroni_pid() { pid_of /usr/bin/patroni "$DIR/$1.yml"; }
etcd_pid() { pid_of /usr/bin/etcd "$DIR/etcd"; }

patronictl_() { as_owner patronictl -c "$DIR/pg1.yml" "$@"; }

# The members, one a line: name, role (Leader, Replica, Sync_Standby), state, timeline, lag in MB, host:port.
members() {
  patronictl_ list -f json "$SCOPE" 2>/dev/null | "$PY" -c '
import json, sys
for m in json.load(sys.stdin):
    print(m.get("Member"), m.get("Role", "-").replace(" ", "_"), m.get("State", "-"), m.get("TL", "-"), m.get("Lag in MB", "-"), m.get("Host", "-"))
' 2>/dev/null || true
}

# The primary: the member Patroni names as leader, once PostgreSQL there has left recovery. Patroni
# hands the leader key over before the promotion (in a switchover, while the old primary is still
# checkpointing and shutting down), so its word alone would name a primary too early.
leader() {
  local n
  for n in $(members | awk '$2 == "Leader" && $3 == "running" { print $1 }'); do
    [ "$(PGCONNECT_TIMEOUT=3 as_owner "$PG_BIN/psql" -X -At -h 127.0.0.1 -p "$(port "$n")" -U postgres -d postgres \
      -c "SELECT NOT pg_is_in_recovery()" 2>/dev/null)" = t ] && echo "$n"
  done
  return 0
}
leader_other_than() { leader | grep -vx "$1" || true; }
leader_named() { leader | grep -x "$1" || true; }
# The standby Patroni made synchronous, once the primary sees it streaming as such.
sync_standby() {
  local l s
  l=$(leader)
  s=$(members | awk '$2 == "Sync_Standby" && $3 == "running" { print $1 }')
  [ -n "$l" ] && [ -n "$s" ] || return 0
  as_owner "$PG_BIN/psql" -X -At -h 127.0.0.1 -p "$(port "$l")" -U postgres -d postgres -c \
    "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = 'sync'" 2>/dev/null \
    | grep -x "$s" || true
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...: until the command prints something
  local seconds=$1 what=$2 out
  shift 2
  for _ in $(seq 1 $((seconds * 2))); do
    out=$("$@" || true)
    if [ -n "$out" ]; then echo "$out"; return 0; fi
    sleep 0.5
  done
  echo "ha-cluster: no $what after ${seconds}s; the logs:" >&2
  dump_logs >&2
  return 1
}

dump_logs() {
  for f in "$DIR"/etcd.log "$DIR"/pg1/patroni.log "$DIR"/pg2/patroni.log; do
    [ -f "$f" ] && { echo "----- $f (last 60 lines)"; tail -n 60 "$f"; }
  done
  members || true
}

since() { awk -v t0="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - t0 }'; }

url() {
  echo "jdbc:postgresql://127.0.0.1:$(port pg1),127.0.0.1:$(port pg2)/postgres?targetServerType=primary"
}

start() {
  [ -f "$DIR/ports" ] && die "a cluster already runs in $DIR (stop it first, or set PGCACHE_HA_DIR)"
  install_missing
  mkdir -p "$DIR/pg1" "$DIR/pg2" "$DIR/etcd"
  chmod 700 "$DIR/pg1" "$DIR/pg2"
  local p
  mapfile -t p < <(free_ports 6)
  cat > "$DIR/ports" <<EOF
etcd_client=${p[0]}
etcd_peer=${p[1]}
pg1=${p[2]}
rest1=${p[3]}
pg2=${p[4]}
rest2=${p[5]}
EOF
  node_config pg1 "${p[2]}" "${p[3]}" > "$DIR/pg1.yml"
  node_config pg2 "${p[4]}" "${p[5]}" > "$DIR/pg2.yml"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$DIR"

  say "etcd on 127.0.0.1:${p[0]}"
  spawn "$DIR/etcd.log" /usr/bin/etcd --name ha-etcd --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:${p[0]}" --advertise-client-urls "http://127.0.0.1:${p[0]}" \
    --listen-peer-urls "http://127.0.0.1:${p[1]}" --initial-advertise-peer-urls "http://127.0.0.1:${p[1]}" \
    --initial-cluster "ha-etcd=http://127.0.0.1:${p[1]}" --initial-cluster-state new
  wait_for 30 "etcd answering" curl -sf "http://127.0.0.1:${p[0]}/health" > /dev/null

  say "pg1 (PostgreSQL 127.0.0.1:${p[2]}, Patroni 127.0.0.1:${p[3]}) bootstraps the cluster"
  spawn "$DIR/pg1/patroni.log" /usr/bin/patroni "$DIR/pg1.yml"
  wait_for 90 "primary" leader > /dev/null
  say "pg2 (PostgreSQL 127.0.0.1:${p[4]}, Patroni 127.0.0.1:${p[5]}) joins as a standby"
  spawn "$DIR/pg2/patroni.log" /usr/bin/patroni "$DIR/pg2.yml"
  wait_for 120 "synchronous standby" sync_standby > /dev/null
  status
  say "pgcache's URL (pool, Flyway and the near cache's LISTEN):"
  url
}

status() {
  [ -f "$DIR/ports" ] || die "no cluster in $DIR"
  patronictl_ list "$SCOPE" || true
  # the primary's own view of its standbys: how far each is behind, in bytes of WAL
  local l
  l=$(leader)
  if [ -n "$l" ]; then
    as_owner "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$(port "$l")" -U postgres -d postgres -c \
      "SELECT application_name AS standby, state, sync_state,
              pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS replay_lag_bytes, replay_lag
       FROM pg_stat_replication ORDER BY 1" || true
  fi
}

# The machine of the primary dies: Patroni and PostgreSQL go at once, with no chance to hand over,
# demote or close connections cleanly (the kernel still resets their sockets, as a crashed host's
# peers see after a reboot; a network partition would leave them hanging up to the timeouts).
failover() {
  [ -f "$DIR/ports" ] || die "no cluster in $DIR"
  local old new patroni postmaster children t0
  old=$(leader)
  [ -n "$old" ] || die "no primary to kill"
  patroni=$(patroni_pid "$old")
  postmaster=$(head -n1 "$DIR/$old/data/postmaster.pid")
  children=$(ps -o pid= --ppid "$postmaster" | tr '\n' ' ')
  t0=$(date +%s.%N)
  say "killing $old: Patroni $patroni, postmaster $postmaster, its processes $children"
  # shellcheck disable=SC2086
  kill -9 $patroni "$postmaster" $children 2>/dev/null || true
  echo dead > "$DIR/$old/dead"
  new=$(wait_for 90 "new primary" leader_other_than "$old")
  say "$new promoted, $(since "$t0") s after $old died"
  status
}

switchover() {
  [ -f "$DIR/ports" ] || die "no cluster in $DIR"
  local old candidate t0
  old=$(leader)
  [ -n "$old" ] || die "no primary"
  candidate=$(sync_standby)
  [ -n "$candidate" ] || die "no synchronous standby to switch over to"
  t0=$(date +%s.%N)
  say "switching over from $old to $candidate"
  patronictl_ switchover --leader "$old" --candidate "$candidate" --force "$SCOPE"
  wait_for 90 "new primary" leader_named "$candidate" > /dev/null
  say "$candidate is the primary, $(since "$t0") s after the switchover began"
  wait_for 120 "synchronous standby again" sync_standby > /dev/null
  say "$old streams again as the synchronous standby"
  status
}

stop() {
  [ -d "$DIR" ] || { say "nothing in $DIR"; return 0; }
  local n pid alive
  # Patroni first (it stops its PostgreSQL on SIGTERM), then whatever is left, by pid
  for n in pg1 pg2; do
    pid=$(patroni_pid $n)
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 60); do
    alive=$(patroni_pid pg1)$(patroni_pid pg2)
    [ -z "$alive" ] && break
    sleep 0.5
  done
  for n in pg1 pg2; do
    pid=$(patroni_pid $n)
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    if [ -f "$DIR/$n/data/postmaster.pid" ]; then
      pid=$(head -n1 "$DIR/$n/data/postmaster.pid")
      # only if that pid still is this node's postmaster
      if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$DIR/$n/data"; then
        as_owner "$PG_BIN/pg_ctl" -D "$DIR/$n/data" -m immediate -w -t 20 stop > /dev/null 2>&1 || kill -9 "$pid" 2>/dev/null || true
      fi
    fi
  done
  pid=$(etcd_pid)
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do [ -z "$(etcd_pid)" ] && break; sleep 0.25; done
    pid=$(etcd_pid)
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$DIR"
  say "stopped; $DIR removed"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) url ;;
  failover) failover ;;
  switchover) switchover ;;
  logs) dump_logs ;;
  *) echo "usage: $0 start|stop|status|url|failover|switchover|logs" >&2; exit 2 ;;
esac
