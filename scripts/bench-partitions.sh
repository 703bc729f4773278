#!/usr/bin/env bash
# Write throughput of a local 3-node cluster at several partition counts, in one run so the
# numbers compare as ratios on a noisy machine.
#
#   scripts/bench-partitions.sh [--duration 15s] [--in-flight "64 256"] [--set key=value]...
#                               [--workload "write --value-size 128"] P [P ...]
#
# --set adds a node config line (e.g. --set storage.compression=none); --workload is what
# follows `kv bench` (default: write). The status of node n1 is saved as JSON after each run
# (cache hit ratios), path printed as a comment.
#
# For each P: starts 3 nodes on 127.0.1.1-3 (ports 19860/19870, data in a temp dir), waits for a
# write to succeed, runs `kv bench write` at each in-flight level, prints per-node threads, RSS
# and CPU seconds used during the measured points (warm-up included), and stops the nodes by PID. Needs the distribution (mvn -DskipTests package).
set -euo pipefail
cd "$(dirname "$0")/.."

duration=15s
inflight="64 256"
workload=write
extra=()
parts=()
while [ $# -gt 0 ]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --in-flight) inflight=$2; shift 2 ;;
    --set) extra+=("$2"); shift 2 ;;
    --workload) workload=$2; shift 2 ;;
    -h | --help) sed -n 2,10p "$0"; exit 0 ;;
    *) parts+=("$1"); shift ;;
  esac
done
[ ${#parts[@]} -gt 0 ] || { echo "usage: $0 [--duration D] [--in-flight \"N ...\"] P [P ...]" >&2; exit 2; }

kv=$(ls -d kv-cli/target/kvstore-*/bin/kv 2>/dev/null | head -1)
[ -x "$kv" ] || { echo "bench-partitions: build the distribution first: mvn -B -DskipTests package" >&2; exit 2; }

work=$(mktemp -d)
pids=()
stop_nodes() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  pids=()
}
trap 'stop_nodes; rm -rf "$work"' EXIT
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }

net=${KV_BENCH_NET:-127.0.1} # another /24 of loopback keeps parallel runs apart
members="n1:$net.1:19860:19870,n2:$net.2:19860:19870,n3:$net.3:19860:19870"
endpoints="$net.1:19870,$net.2:19870,$net.3:19870"
echo "partitions,in_flight,ops_per_sec,p50_ms,p99_ms,errors"
for p in "${parts[@]}"; do
  for i in 1 2 3; do
    mkdir -p "$work/p$p"
    cat > "$work/p$p/n$i.properties" <<CONF
node.id=n$i
node.data-dir=$work/p$p/n$i
cluster.members=$members
cluster.partitions=$p
CONF
    for line in "${extra[@]}"; do echo "$line" >> "$work/p$p/n$i.properties"; done
    "$kv" start --config "$work/p$p/n$i.properties" > "$work/p$p/n$i.log" 2>&1 &
    pids+=($!)
  done
  deadline=$((SECONDS + ${KV_BENCH_START_S:-90})) # start-up allowance, longer on a loaded machine
  until KV_ENDPOINTS=$endpoints "$kv" put --timeout 5s bench/probe ok >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "bench-partitions: P=$p cluster did not come up" >&2; tail -5 "$work/p$p/n1.log" >&2; exit 1; }
    sleep 0.5
  done
  declare -A cpu0=() # node CPU seconds when the measured points start (start-up excluded)
  for pid in "${pids[@]}"; do cpu0[$pid]=$(cpu_of "$pid"); done
  for f in $inflight; do
    # shellcheck disable=SC2086
    KV_ENDPOINTS=$endpoints "$kv" bench $workload --in-flight "$f" --duration "$duration" --warmup 3s -o json 2>/dev/null \
      | python3 -c "import json,sys; r=json.load(sys.stdin); print(f\"$p,$f,{r['opsPerSec']},{r['p50Ms']},{r['p99Ms']},{r['errors']}\")"
  done
  KV_ENDPOINTS=$endpoints "$kv" -o json cluster status > "$work/status-p$p.json" 2>/dev/null || true
  echo "# P=$p cache: $(python3 -c "import json,sys; d=json.load(open('$work/status-p$p.json')); print(' '.join('%s hits=%s misses=%s ratio=%.3f' % (n['node'], n['cache']['hits'], n['cache']['misses'], n['cache']['hitRatio']) for n in d if n.get('cache')))" 2>/dev/null)"
  for pid in "${pids[@]}"; do
    echo "# P=$p pid $pid threads $(awk '/^Threads/ {print $2}' /proc/$pid/status) rss_kb $(awk '/^VmRSS/ {print $2}' /proc/$pid/status) cpu_s $(awk "BEGIN {print $(cpu_of "$pid") - ${cpu0[$pid]}}")"
  done
  stop_nodes
done
