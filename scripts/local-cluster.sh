#!/usr/bin/env bash
# A three-node kvstore cluster on this machine, for trying things out.
#
#   scripts/local-cluster.sh up       build if needed, start n1-n3, wait for a leader, demo put/get
#   scripts/local-cluster.sh status   kv cluster status
#   scripts/local-cluster.sh down     stop the nodes (SIGTERM, then SIGKILL after 30 s)
#
# Nodes use conf/node{1,2,3}.properties: n1 on 127.0.0.1, n2 on 127.0.0.2, n3 on 127.0.0.3 (Linux
# routes all of 127.0.0.0/8 to loopback; on macOS add the aliases first:
# `sudo ifconfig lo0 alias 127.0.0.2 up` and likewise for .3). Data, logs (data/nN.log) and pid
# files (data/nN.pid) go to data/ in the repository root, which git ignores.
# Nodes are only ever signalled by the pids in their pid files, never by name.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

NODES=(1 2 3)
DATA=data
START_TIMEOUT_S=60
STOP_TIMEOUT_S=30

say() { echo "local-cluster: $*"; }
die() { echo "local-cluster: $*" >&2; exit 1; }

# ---- configuration, read from conf/ so this script cannot drift from it

members=$(sed -n 's/^cluster\.members[[:space:]]*=[[:space:]]*//p' conf/node1.properties | tr -d ' \r')
[ -n "$members" ] || die "conf/node1.properties has no cluster.members"

# member N FIELD: field 2 = host, 3 = raft port, 4 = client port of node nN.
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
KV_ENDPOINTS=$(endpoints)
export KV_ENDPOINTS

# ---- processes

pid_file() { echo "$DATA/n$1.pid"; }
log_file() { echo "$DATA/n$1.log"; }

# The pid of node N if its pid file names a live kv node process, else nothing. Checking the
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
  [ -n "$host" ] || die "n$n is not in cluster.members of conf/node1.properties"
  for port in "$(member "$n" 3)" "$(member "$n" 4)"; do
    if listening "$host" "$port"; then
      die "n$n: $host:$port is already in use (another cluster or program is listening there)"
    fi
  done
  dir=$(sed -n 's/^node\.data-dir[[:space:]]*=[[:space:]]*//p' "conf/node$n.properties" | tr -d '\r')
  if [ -n "$dir" ] && [ -e "$dir" ] && [ ! -w "$dir" ]; then
    die "n$n: data directory $dir is not writable"
  fi
}

# ---- commands

print_usage_hint() {
  local kv=$1
  cat <<EOF

Use the cluster with bin/kv of the distribution:
  alias kv=$kv
  source $(dirname "$kv")/kv_completion    # optional: tab completion
  export KV_ENDPOINTS=$KV_ENDPOINTS    # already the default
  kv put greeting hello; kv get greeting; kv cluster status; kv --help

Logs: $ROOT/$DATA/n{1,2,3}.log    Stop: scripts/local-cluster.sh down
EOF
}

up() {
  mkdir -p "$DATA" 2>/dev/null || die "cannot create $ROOT/$DATA"
  [ -w "$DATA" ] || die "$ROOT/$DATA is not writable"

  local n pid kv running=() to_start=()
  for n in "${NODES[@]}"; do
    pid=$(live_pid "$n")
    if [ -n "$pid" ]; then
      running+=("n$n (pid $pid)")
    else
      rm -f "$(pid_file "$n")"
      to_start+=("$n")
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

  for n in "${to_start[@]}"; do
    check_node_can_start "$n"
  done

  local started=()
  for n in "${to_start[@]}"; do
    # nohup: the node outlives this script and the terminal; bin/kv execs java, so $! is its pid.
    # Appending keeps the log of earlier runs for post-mortems.
    echo "---- $(date -u +%Y-%m-%dT%H:%M:%SZ) scripts/local-cluster.sh up" >>"$(log_file "$n")"
    nohup "$kv" start --config "conf/node$n.properties" >>"$(log_file "$n")" 2>&1 </dev/null &
    echo $! >"$(pid_file "$n")"
    started+=("$!")
    say "started n$n (pid $!), log $DATA/n$n.log"
  done

  say "waiting up to ${START_TIMEOUT_S}s for the cluster to accept writes ..."
  local deadline=$((SECONDS + START_TIMEOUT_S))
  while :; do
    for n in "${to_start[@]}"; do
      if [ -z "$(live_pid "$n")" ]; then
        echo "local-cluster: n$n exited during startup; last lines of $DATA/n$n.log:" >&2
        tail -n 20 "$(log_file "$n")" >&2 || true
        say "stopping the nodes started now"
        stop_pids "${started[@]}"
        for n in "${to_start[@]}"; do
          rm -f "$(pid_file "$n")"
        done
        exit 1
      fi
    done
    if "$kv" put --timeout 2s local-cluster/probe ok >/dev/null 2>&1; then
      break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "local-cluster: no write succeeded within ${START_TIMEOUT_S}s; last log lines:" >&2
      for n in "${NODES[@]}"; do
        echo "--- $DATA/n$n.log" >&2
        tail -n 10 "$(log_file "$n")" >&2 || true
      done
      say "nodes left running for inspection; stop them with: scripts/local-cluster.sh down"
      exit 1
    fi
    sleep 0.5
  done
  say "cluster is up"

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
  local n pid pids=() names=()
  for n in "${NODES[@]}"; do
    pid=$(live_pid "$n")
    if [ -n "$pid" ]; then
      pids+=("$pid")
      names+=("n$n (pid $pid)")
    fi
  done
  if [ ${#pids[@]} -eq 0 ]; then
    say "no nodes running"
  else
    say "stopping ${names[*]}"
    stop_pids "${pids[@]}"
    say "stopped"
  fi
  for n in "${NODES[@]}"; do
    rm -f "$(pid_file "$n")"
  done
}

status() {
  local n pid kv
  for n in "${NODES[@]}"; do
    pid=$(live_pid "$n")
    if [ -n "$pid" ]; then say "n$n: running, pid $pid"; else say "n$n: not running"; fi
  done
  kv=$(dist_kv)
  [ -n "$kv" ] || die "no distribution built yet; run: scripts/local-cluster.sh up"
  echo
  "$kv" --timeout 5s cluster status
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  *)
    echo "usage: scripts/local-cluster.sh up|down|status" >&2
    exit 2 ;;
esac
