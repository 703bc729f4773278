#!/usr/bin/env bash
# A kvstore cluster on this machine, for trying things out.
#
#   scripts/local-cluster.sh up                   build if needed, start n1-n3 from conf/, wait
#                                                 until every group has a leader, demo put/get
#   scripts/local-cluster.sh up --nodes N [--zones a,b,c]
#                                                 the same with N nodes (1..9) and generated
#                                                 configs; zones go to the nodes round-robin
#                                                 (default: one zone per node, a, b, c, ...)
#   scripts/local-cluster.sh up --uids            (as root) run node nK under its own uid 30000+K
#                                                 (setpriv; data/nK chowned to it), so nftables
#                                                 can cut nodes apart (`kv drill partition`); the
#                                                 choice is kept in data/uids for later `up`s
#   scripts/local-cluster.sh status               which nodes run, then kv cluster status
#   scripts/local-cluster.sh down                 stop every node that runs (SIGTERM, then SIGKILL
#                                                 after 30 s)
#   scripts/local-cluster.sh clean                delete the data of a stopped cluster (data/)
#
# `up` uses conf/node{1,2,3}.properties: n1 on 127.0.0.1, n2 on 127.0.0.2, n3 on 127.0.0.3, in
# zones a, b, c. `up --nodes N` writes data/conf/node1..N.properties instead (copies of
# conf/node1.properties with node K on 127.0.0.K, raft port 9860, client port 9870, data in
# data/nK, cluster.replication-factor 3, or N when N < 3) and starts those. Linux routes all of
# 127.0.0.0/8 to loopback; on macOS add the aliases first: `sudo ifconfig lo0 alias 127.0.0.2 up`
# and likewise for the others.
#
# Data, logs (data/nK.log) and pid files (data/nK.pid) go to data/ in the repository root, which
# git ignores. A cluster keeps the layout it was created with (its nodes store the cluster map),
# so `up` refuses a different layout while data/ holds one: `down`, `clean`, then `up` again.
# Nodes are only ever signalled by the pids in their pid files, never by name.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

DATA=data
GENERATED=$DATA/conf
# The members line the cluster in data/ was created with; absent before the first `up`.
LAYOUT=$DATA/cluster.members
MAX_NODES=9
# With data/uids present (`up --uids`), node nK runs as uid UID_BASE+K.
UIDS_MARK=$DATA/uids
UID_BASE=30000
START_TIMEOUT_S=90
STOP_TIMEOUT_S=30

say() { echo "local-cluster: $*"; }
plural() { if [ "$1" -eq 1 ]; then echo "1 $2"; else echo "$1 $2s"; fi; }
die() { echo "local-cluster: $*" >&2; exit 1; }

usage() {
  cat >&2 <<EOF
usage: scripts/local-cluster.sh up [--nodes N] [--zones ZONE,...] [--uids]
       scripts/local-cluster.sh status | down | clean
EOF
  exit 2
}

# ---- configuration

# The cluster.members value of a properties file.
members_of() {
  sed -n 's/^cluster\.members[[:space:]]*=[[:space:]]*//p' "$1" | tr -d ' \r'
}

CONF_MEMBERS=$(members_of conf/node1.properties)
[ -n "$CONF_MEMBERS" ] || die "conf/node1.properties has no cluster.members"

# The layout the commands work on: $members (the cluster.members value) and $NODES (the node
# numbers K of nodes nK). `up` sets it from its options; status and down from data/.
members=
NODES=()

set_layout() {
  members=$1
  NODES=()
  local id
  for id in $(tr ',' '\n' <<<"$members" | cut -d: -f1); do
    case $id in
      n[1-9]) NODES+=("${id#n}") ;;
      *) die "node id '$id' in cluster.members: this script handles ids n1..n$MAX_NODES only" ;;
    esac
  done
}

# The layout of the cluster in data/: the recorded one, else (data from before the record
# existed, or no data at all) conf/'s.
recorded_members() {
  if [ -f "$LAYOUT" ]; then cat "$LAYOUT"; else echo "$CONF_MEMBERS"; fi
}

# member K FIELD: field 2 = host, 3 = raft port, 4 = client port, 5 = zone of node nK.
member() {
  tr ',' '\n' <<<"$members" | awk -F: -v id="n$1" -v f="$2" '$1 == id { print $f }'
}

endpoints() {
  local n list=
  for n in "${NODES[@]}"; do
    list+=${list:+,}$(member "$n" 2)':'$(member "$n" 4)
  done
  echo "$list"
}

# The config file node K starts with: conf/ for the default cluster, else the generated one.
config_file() {
  if [ -f "$GENERATED/node$1.properties" ] && [ "$members" != "$CONF_MEMBERS" ]; then
    echo "$GENERATED/node$1.properties"
  else
    echo "conf/node$1.properties"
  fi
}

# Writes data/conf/node1..N.properties for N nodes with the given zones (round-robin): copies of
# conf/node1.properties with this node's id, data dir and the generated cluster settings.
generate_configs() {
  local count=$1 zones_csv=$2 zones k list= rf
  IFS=, read -r -a zones <<<"$zones_csv"
  for k in $(seq 1 "$count"); do
    list+=${list:+,}"n$k:127.0.0.$k:9860:9870:${zones[$(((k - 1) % ${#zones[@]}))]}"
  done
  rf=$((count < 3 ? count : 3))
  mkdir -p "$GENERATED" || die "cannot create $ROOT/$GENERATED"
  for k in $(seq 1 "$count"); do
    awk -v k="$k" -v n="$count" -v members="$list" -v rf="$rf" -v zones="$zones_csv" '
      function layout(   i, m, f) {
        print "# Local layout, generated:"
        split(members, m, ",")
        for (i = 1; i <= n; i++) {
          split(m[i], f, ":")
          printf "#   %-3s %-10s raft %s  client %s  zone %-6s data/%s\n", f[1], f[2], f[3], f[4], f[5], f[1]
        }
      }
      NR == 1 {
        print "# kvstore node configuration: node n" k " of a local " n "-node cluster."
        print "# GENERATED by `scripts/local-cluster.sh up --nodes " n " --zones " zones "` from"
        print "# conf/node1.properties; it is rewritten on every such `up`, so edit that file instead."
        next
      }
      /^# Run:/ { print "# Run:      bin/kv start --config data/conf/node" k ".properties"; next }
      /^# Local layout/ { skipping = 1; layout(); next }
      skipping && /^#/ { next }
      skipping { skipping = 0 }
      /^node\.id[[:space:]]*=/ { print "node.id=n" k; next }
      /^node\.data-dir[[:space:]]*=/ { print "node.data-dir=data/n" k; next }
      /^cluster\.members[[:space:]]*=/ { print "cluster.members=" members; next }
      /^cluster\.replication-factor[[:space:]]*=/ { print "cluster.replication-factor=" rf; rf_done = 1; next }
      { print }
      END { if (!rf_done) print "cluster.replication-factor=" rf }
    ' conf/node1.properties >"$GENERATED/node$k.properties.tmp" \
      && mv "$GENERATED/node$k.properties.tmp" "$GENERATED/node$k.properties" \
      || die "cannot write $GENERATED/node$k.properties"
  done
  # Configs of nodes beyond N (from an earlier, larger layout) would only confuse.
  for k in $(seq $((count + 1)) "$MAX_NODES"); do
    rm -f "$GENERATED/node$k.properties"
  done
  echo "$list"
}

# ---- processes

pid_file() { echo "$DATA/n$1.pid"; }
log_file() { echo "$DATA/n$1.log"; }

# The node numbers that have a pid file, whatever the layout.
pid_file_nodes() {
  local f k
  for f in "$DATA"/n*.pid; do
    [ -e "$f" ] || continue
    k=${f#"$DATA"/n}
    k=${k%.pid}
    case $k in '' | *[!0-9]*) continue ;; esac
    echo "$k"
  done | sort -n
}

# The pid of node K if its pid file names a live kv node process, else nothing. Checking the
# command line guards against a recycled pid that now belongs to something else; "bin/kv start"
# matches the moment before the launcher execs java.
live_pid() {
  local file pid
  file=$(pid_file "$1")
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  case $pid in '' | *[!0-9]*) return 0 ;; esac
  if kill -0 "$pid" 2>/dev/null && ps -o args= -p "$pid" 2>/dev/null | grep -Eq 'io\.kvstore\.cli\.Kv|bin/kv start'; then
    echo "$pid"
  fi
}

# Sends SIGTERM to the given pids and waits; SIGKILL for any still alive at the deadline.
stop_pids() {
  local pid deadline alive
  for pid in "$@"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  deadline=$((SECONDS + STOP_TIMEOUT_S))
  while :; do
    alive=()
    for pid in "$@"; do
      if kill -0 "$pid" 2>/dev/null; then alive+=("$pid"); fi
    done
    [ ${#alive[@]} -eq 0 ] && return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "still running after ${STOP_TIMEOUT_S}s, sending SIGKILL to ${alive[*]}"
      kill -KILL "${alive[@]}" 2>/dev/null || true
      return 0
    fi
    sleep 0.2
  done
}

# "nK (pid P)" for every node that runs, whatever the layout.
running_nodes() {
  local k pid
  for k in $(pid_file_nodes); do
    pid=$(live_pid "$k")
    [ -n "$pid" ] && echo "n$k (pid $pid)"
  done
  return 0
}

# ---- distribution

dist_kv() {
  local kv
  for kv in kv-cli/target/kvstore-*/bin/kv; do
    [ -x "$kv" ] && { echo "$ROOT/$kv"; return 0; }
  done
  return 0
}

# Stale if any source is newer than the kv-cli jar in lib/ (bin/kv keeps its source's mtime).
dist_is_stale() {
  local kv=$1 jar
  [ -z "$kv" ] && return 0
  jar=$(ls "$(dirname "$kv")"/../lib/kv-cli-*.jar 2>/dev/null | head -n 1)
  [ -z "$jar" ] && return 0
  [ -n "$(find pom.xml kv-*/pom.xml kv-*/src conf -type f -newer "$jar" -print -quit)" ]
}

build() {
  command -v mvn >/dev/null 2>&1 || die "mvn not found; install Maven (apt-get install maven)"
  say "building the distribution (mvn -q -B -DskipTests package) ..."
  mvn -q -B -DskipTests package || die "build failed"
}

# ---- port and directory checks

# Whether something accepts connections on host:port (bash's /dev/tcp; no extra tools needed).
listening() {
  if command -v timeout >/dev/null 2>&1; then
    timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
  else
    bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
  fi
}

check_node_can_start() {
  local n=$1 host port dir
  host=$(member "$n" 2)
  [ -n "$host" ] || die "n$n is not in cluster.members"
  for port in "$(member "$n" 3)" "$(member "$n" 4)"; do
    if listening "$host" "$port"; then
      die "n$n: $host:$port is already in use (another cluster or program is listening there)"
    fi
  done
  dir=$(sed -n 's/^node\.data-dir[[:space:]]*=[[:space:]]*//p' "$(config_file "$n")" | tr -d '\r')
  if [ -n "$dir" ] && [ -e "$dir" ] && [ ! -w "$dir" ]; then
    die "n$n: data directory $dir is not writable"
  fi
}

# Refuses to start a layout other than the one the data in data/ was created with: the nodes
# keep the cluster map they bootstrapped, so old and new nodes would disagree on who holds what.
check_layout() {
  local existing=() k recorded
  for k in $(seq 1 "$MAX_NODES"); do
    [ -d "$DATA/n$k" ] && existing+=("n$k")
  done
  [ ${#existing[@]} -eq 0 ] && return 0
  recorded=$(recorded_members)
  [ "$recorded" = "$members" ] && return 0
  die "$DATA/ holds the data of a cluster created as
    cluster.members=$recorded
  (${existing[*]}), not the one requested:
    cluster.members=$members
  Its nodes would keep their old cluster map. Start it as it was:
    $(up_command_for "$recorded")
  or remove it first:
    scripts/local-cluster.sh down && scripts/local-cluster.sh clean"
}

# The `up` command line that starts the layout with these members.
up_command_for() {
  if [ "$1" = "$CONF_MEMBERS" ]; then
    echo "scripts/local-cluster.sh up"
  else
    echo "scripts/local-cluster.sh up --nodes $(tr ',' '\n' <<<"$1" | wc -l) --zones $(tr ',' '\n' <<<"$1" | cut -d: -f5 | paste -sd, -)"
  fi
}

# ---- commands

print_usage_hint() {
  local kv=$1 default=
  [ "$KV_ENDPOINTS" = "127.0.0.1:9870,127.0.0.2:9870,127.0.0.3:9870" ] && default="    # the default"
  cat <<EOF

Use the cluster with bin/kv of the distribution:
  alias kv=$kv
  source $(dirname "$kv")/kv_completion    # optional: tab completion
  export KV_ENDPOINTS=$KV_ENDPOINTS$default
  kv put greeting hello; kv get greeting; kv locate greeting
  kv cluster status; kv cluster nodes; kv cluster partitions; kv --help

Logs: $ROOT/$DATA/n$([ ${#NODES[@]} -eq 1 ] && echo "${NODES[0]}" || echo "{$(IFS=,; echo "${NODES[*]}")}").log    Stop: scripts/local-cluster.sh down
EOF
}

up() {
  local count= zones= uids=false
  while [ $# -gt 0 ]; do
    case $1 in
      --uids) uids=true; shift ;;
      --nodes) [ $# -ge 2 ] || usage; count=$2; shift 2 ;;
      --nodes=*) count=${1#--nodes=}; shift ;;
      --zones) [ $# -ge 2 ] || usage; zones=$2; shift 2 ;;
      --zones=*) zones=${1#--zones=}; shift ;;
      *) echo "local-cluster: unknown option '$1'" >&2; usage ;;
    esac
  done

  mkdir -p "$DATA" 2>/dev/null || die "cannot create $ROOT/$DATA"
  [ -w "$DATA" ] || die "$ROOT/$DATA is not writable"
  if $uids; then
    [ "$(id -u)" -eq 0 ] || die "--uids needs root (nodes are started under their own uids with setpriv)"
    command -v setpriv >/dev/null 2>&1 || die "--uids needs setpriv (util-linux)"
    touch "$UIDS_MARK"
  fi

  if [ -z "$count" ] && [ -z "$zones" ]; then
    set_layout "$CONF_MEMBERS"
    check_layout
  else
    count=${count:-3}
    case $count in
      [1-9]) ;;
      *) die "--nodes must be 1..$MAX_NODES; got '$count'" ;;
    esac
    if [ -z "$zones" ]; then
      zones=$(echo a b c d e f g h i | cut -d' ' -f1-"$count" | tr ' ' ',')
    fi
    local z zone_list
    IFS=, read -r -a zone_list <<<"$zones"
    [ ${#zone_list[@]} -ge 1 ] || die "--zones is empty"
    [ ${#zone_list[@]} -le "$count" ] \
      || die "--zones lists ${#zone_list[@]} zones for $count nodes; give at most one per node"
    for z in "${zone_list[@]}"; do
      [[ $z =~ ^[A-Za-z0-9_.-]{1,64}$ ]] \
        || die "zone '$z' must be 1-64 letters, digits, '.', '-' or '_'"
    done
    # Check against data/ before overwriting the configs a running cluster was started with.
    local planned
    planned=$(for k in $(seq 1 "$count"); do
      printf 'n%s:127.0.0.%s:9860:9870:%s\n' "$k" "$k" "${zone_list[$(((k - 1) % ${#zone_list[@]}))]}"
    done | paste -sd, -)
    set_layout "$planned"
    check_layout
    [ "$(generate_configs "$count" "$zones")" = "$planned" ] || die "internal error: generated members differ"
    say "generated $GENERATED/node$([ "$count" -gt 1 ] && echo "{1..$count}" || echo 1).properties: $(plural "$count" node), zones $zones, replication factor $((count < 3 ? count : 3))"
  fi
  KV_ENDPOINTS=$(endpoints)
  export KV_ENDPOINTS

  # Nodes of another layout that still run (their data was removed under them) would hold ports.
  local k pid kv running=() to_start=() stray=()
  for k in $(pid_file_nodes); do
    if [[ " ${NODES[*]} " != *" $k "* ]] && [ -n "$(live_pid "$k")" ]; then
      stray+=("n$k")
    fi
  done
  [ ${#stray[@]} -eq 0 ] || die "${stray[*]} still run but are not part of this layout; run: scripts/local-cluster.sh down"
  for k in "${NODES[@]}"; do
    pid=$(live_pid "$k")
    if [ -n "$pid" ]; then
      running+=("n$k (pid $pid)")
    else
      rm -f "$(pid_file "$k")"
      to_start+=("$k")
    fi
  done

  kv=$(dist_kv)
  if [ ${#to_start[@]} -eq 0 ]; then
    say "cluster is already running: ${running[*]}"
    [ -n "$kv" ] && print_usage_hint "$kv"
    return 0
  fi
  if dist_is_stale "$kv"; then
    # Replacing lib/*.jar under a running JVM breaks it; rebuild only with all nodes stopped.
    if [ ${#running[@]} -gt 0 ]; then
      [ -n "$kv" ] || die "no distribution built, but nodes are running: ${running[*]}"
      say "distribution is older than the sources; not rebuilding while ${running[*]} run"
    else
      build
      kv=$(dist_kv)
      [ -n "$kv" ] || die "build produced no kv-cli/target/kvstore-*/bin/kv"
    fi
  fi
  [ ${#running[@]} -gt 0 ] && say "already running: ${running[*]}; starting the others"

  for k in "${to_start[@]}"; do
    check_node_can_start "$k"
  done
  echo "$members" >"$LAYOUT"

  local started=()
  for k in "${to_start[@]}"; do
    # nohup: the node outlives this script and the terminal; bin/kv execs java, so $! is its pid.
    # Appending keeps the log of earlier runs for post-mortems.
    echo "---- $(date -u +%Y-%m-%dT%H:%M:%SZ) scripts/local-cluster.sh up" >>"$(log_file "$k")"
    if [ -f "$UIDS_MARK" ]; then
      # One uid per node so nftables can tell the nodes' packets apart; the distribution and
      # configs are world-readable, the node writes only its data directory.
      mkdir -p "$DATA/n$k"
      chown -R "$((UID_BASE + k)):$((UID_BASE + k))" "$DATA/n$k"
      nohup setpriv --reuid "$((UID_BASE + k))" --regid "$((UID_BASE + k))" --clear-groups \
        "$kv" start --config "$(config_file "$k")" >>"$(log_file "$k")" 2>&1 </dev/null &
    else
      nohup "$kv" start --config "$(config_file "$k")" >>"$(log_file "$k")" 2>&1 </dev/null &
    fi
    echo $! >"$(pid_file "$k")"
    started+=("$!")
    say "started n$k (pid $!, zone $(member "$k" 5)$([ -f "$UIDS_MARK" ] && echo ", uid $((UID_BASE + k))")), log $DATA/n$k.log"
  done

  say "waiting up to ${START_TIMEOUT_S}s until every node runs all its groups with a leader ..."
  local deadline=$((SECONDS + START_TIMEOUT_S))
  while :; do
    for k in "${to_start[@]}"; do
      if [ -z "$(live_pid "$k")" ]; then
        echo "local-cluster: n$k exited during startup; last lines of $DATA/n$k.log:" >&2
        tail -n 20 "$(log_file "$k")" >&2 || true
        say "stopping the nodes started now"
        stop_pids "${started[@]}"
        for k in "${to_start[@]}"; do
          rm -f "$(pid_file "$k")"
        done
        exit 1
      fi
    done
    if "$kv" --timeout 2s cluster status >/dev/null 2>&1; then
      break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "local-cluster: the cluster did not become healthy within ${START_TIMEOUT_S}s:" >&2
      "$kv" --timeout 2s cluster status >&2 || true
      for k in "${NODES[@]}"; do
        echo "--- $DATA/n$k.log" >&2
        tail -n 10 "$(log_file "$k")" >&2 || true
      done
      say "nodes left running for inspection; stop them with: scripts/local-cluster.sh down"
      exit 1
    fi
    sleep 0.5
  done
  say "cluster is up: $(plural ${#NODES[@]} node), every group led"

  echo
  echo "\$ kv put hello world"
  "$kv" put hello world
  echo "\$ kv get hello"
  "$kv" get hello
  # kv adds a newline after a raw value only on a terminal.
  [ -t 1 ] || echo
  print_usage_hint "$kv"
}

down() {
  local k pid pids=() names=()
  for k in $(pid_file_nodes); do
    pid=$(live_pid "$k")
    if [ -n "$pid" ]; then
      pids+=("$pid")
      names+=("n$k (pid $pid)")
    fi
  done
  if [ ${#pids[@]} -eq 0 ]; then
    say "no nodes running"
  else
    say "stopping ${names[*]}"
    stop_pids "${pids[@]}"
    say "stopped"
  fi
  for k in $(pid_file_nodes); do
    rm -f "$(pid_file "$k")"
  done
}

status() {
  local k pid kv extra
  set_layout "$(recorded_members)"
  for k in "${NODES[@]}"; do
    pid=$(live_pid "$k")
    if [ -n "$pid" ]; then
      say "n$k: running, pid $pid, zone $(member "$k" 5)"
    else
      say "n$k: not running"
    fi
  done
  for k in $(pid_file_nodes); do
    if [[ " ${NODES[*]} " != *" $k "* ]] && pid=$(live_pid "$k") && [ -n "$pid" ]; then
      say "n$k: running, pid $pid, but not part of the cluster in $DATA/"
    fi
  done
  kv=$(dist_kv)
  [ -n "$kv" ] || die "no distribution built yet; run: scripts/local-cluster.sh up"
  KV_ENDPOINTS=$(endpoints)
  export KV_ENDPOINTS
  echo
  echo "KV_ENDPOINTS=$KV_ENDPOINTS"
  "$kv" --timeout 5s cluster status
}

clean() {
  local running
  running=$(running_nodes | paste -sd' ' -)
  [ -z "$running" ] || die "nodes still run: $running; stop them first: scripts/local-cluster.sh down"
  [ -d "$DATA" ] || { say "nothing to clean"; return 0; }
  say "removing $ROOT/$DATA"
  rm -rf "${DATA:?}"
}

case ${1:-} in
  up) shift; up "$@" ;;
  down) [ $# -eq 1 ] || usage; down ;;
  status) [ $# -eq 1 ] || usage; status ;;
  clean) [ $# -eq 1 ] || usage; clean ;;
  *) usage ;;
esac
