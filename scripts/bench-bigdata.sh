#!/usr/bin/env bash
# Data far larger than the JVM heaps: loads a 3-node cluster (each node capped at --heap) with
# --bytes of random 4 KiB values via `kv bench load`, then reads the loaded keys uniformly and with
# a zipfian skew (linearizable), sampling every node's memory throughout.
#
#   scripts/bench-bigdata.sh [--bytes 8g] [--partitions 16] [--heap 512m] [--value-size 4096]
#                            [--in-flight 8] [--batch 1024] [--read-in-flight 64]
#                            [--read-duration 45s] [--max-load-time 100m] [--dir DIR]
#                            [--net 127.0.3]
#                            [--set key=value]... [--keep]
#   scripts/bench-bigdata.sh --restart [--bytes 4g] [--partitions 4] ...
#   scripts/bench-bigdata.sh --reuse --dir DIR [--restart] [--top-up 1g] ...
#                            skip the load: DIR was loaded by an earlier run with --keep (give the
#                            same --partitions and --net); --top-up first overwrites that many
#                            bytes of the loaded keys, so the restart has a log to recover
#
# Refuses to start unless the disk keeps 15 GiB free after 4x --bytes (3 replicas plus
# snapshots); measured use was 6-8x during loads (Raft log not yet purged, two snapshots kept),
# so the sampler also stops the load if free space falls below 15 GiB. Nodes run on NET.1-3 (default 127.0.3.1-3, ports 19960 raft / 19970 client), data under --dir
# (default: a new directory in /var/tmp). Records, in DIR/results.txt: load MB/s and keys/s, read
# ops/s p50/p99, per-node VmRSS/RssAnon/RssFile and heap used (samples.csv: every 10 s, heap every 60 s), bytes on
# disk per node (raft log, snapshots, store) and per byte of user data.
#
# --restart (restart time, default 4 GiB over 4 partitions): after the load, kill -9 node n3 and
# restart it, then stop it cleanly (SIGTERM) and restart it; each time measures process start ->
# all partitions on n3 healthy and applied up to the commit index from before the stop, and ->
# a put and a linearizable get through n3 succeed.
#
# Stops every node it started by PID on exit and deletes DIR unless --keep (results, samples and
# logs are copied to DIR.results first). Needs the
# distribution (mvn -B -DskipTests package).
set -euo pipefail
cd "$(dirname "$0")/.."

bytes=
partitions=
heap=512m
value_size=4096
in_flight=8
batch=1024
read_in_flight=64
read_duration=45s
max_load_time=100m
net=127.0.3
dir=
keep=false
restart=false
reuse=false
top_up=
# Node settings for values of a few KiB (override any with --set):
#  - values as separate MapDB records (inline 4 KiB values rewrite a 32-value leaf per put);
#  - MapDB commit every 100 entries: its write-ahead file (mapped, so in RSS) holds what was
#    applied since the last commit, ~100 x 256 KiB per partition here;
#  - snapshot every 1000 entries (~256 MiB of log per partition), so the Raft log is purged,
#    keeping only 100 entries below the snapshot (the default 5000 is the whole log here);
#  - one snapshot kept per partition instead of two, so the footprint fits this machine's disk;
#  - Ratis' per-group cache of closed log segments capped at 8 MiB (default here 32 MiB x groups
#    would not fit a 512 MiB heap);
#  - requests may wait 30 s on a loaded machine before the server answers DEADLINE_EXCEEDED, and
#    an appendEntries call 10 s (Ratis re-sends timed-out calls: more work for a slow follower).
extra=(
  "storage.value-layout=separate"
  "storage.commit-every-entries=100"
  "raft.snapshot.auto-trigger-entries=1000"
  "raft.log.purge-margin-entries=100"
  "ratis.raft.server.snapshot.retention.file.num=1"
  "ratis.raft.server.log.segment.cache.size.max=8MB"
  "server.request-timeout-ms=30000"
  "ratis.raft.server.rpc.request.timeout=10000ms"
)
while [ $# -gt 0 ]; do
  case $1 in
    --bytes) bytes=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    --heap) heap=$2; shift 2 ;;
    --value-size) value_size=$2; shift 2 ;;
    --in-flight) in_flight=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --read-in-flight) read_in_flight=$2; shift 2 ;;
    --read-duration) read_duration=$2; shift 2 ;;
    --max-load-time) max_load_time=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --net) net=$2; shift 2 ;;
    --set) extra+=("$2"); shift 2 ;;
    --keep) keep=true; shift ;;
    --restart) restart=true; shift ;;
    --reuse) reuse=true; shift ;;
    --top-up) top_up=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "bench-bigdata: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if $restart; then
  bytes=${bytes:-4g}
  partitions=${partitions:-4}
else
  bytes=${bytes:-8g}
  partitions=${partitions:-16}
fi

# KV_BIN: a copy of the distribution's bin/kv, so a rebuild cannot replace jars under running nodes.
kv=${KV_BIN:-$(ls -d "$PWD"/kv-cli/target/kvstore-*/bin/kv 2>/dev/null | head -1)}
[ -x "${kv:-}" ] || { echo "bench-bigdata: build the distribution first: mvn -B -DskipTests package" >&2; exit 2; }

# Sizes as numbers: 8g -> 8589934592.
to_bytes() { numfmt --from=iec "$(echo "$1" | tr 'a-z' 'A-Z' | sed 's/B$//')" 2>/dev/null; }
user_bytes=$(to_bytes "$bytes") || { echo "bench-bigdata: --bytes: not a size like 8g: $bytes" >&2; exit 2; }
[ "$user_bytes" -gt 0 ] || { echo "bench-bigdata: --bytes must be positive" >&2; exit 2; }

parent=${dir:-/var/tmp}
[ -n "$dir" ] && parent=$(dirname "$dir")
mkdir -p "$parent"
need=$((user_bytes * 4))
if $reuse; then
  [ -n "$dir" ] && [ -s "$dir/load.json" ] || { echo "bench-bigdata: --reuse needs --dir of a kept, loaded run (DIR/load.json)" >&2; exit 2; }
  need=0
fi
reserve=$((15 << 30))
avail=$(df --output=avail -B1 "$parent" | tail -1)
if [ $((avail - need)) -lt $reserve ]; then
  echo "bench-bigdata: refusing: $(numfmt --to=iec "$avail") free on $parent, the run needs ~$(numfmt --to=iec $need) (4 x $bytes) and 15 GiB must stay free" >&2
  exit 3
fi

if [ -n "$dir" ]; then
  mkdir -p "$dir"
  work=$dir
else
  work=$(mktemp -d /var/tmp/kv-bigdata.XXXXXX)
fi

pids=(0 0 0)
sampler=0
client=0
stop_node() { # $1 = index 0..2, $2 = signal, $3 = seconds to wait before kill -9 (default 30)
  local pid=${pids[$1]}
  [ "$pid" -gt 0 ] || return 0
  kill "-${2:-TERM}" "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((${3:-30} * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pids[$1]=0
}
cleanup() {
  [ "$sampler" -gt 0 ] && kill "$sampler" 2>/dev/null || true
  [ "${client:-0}" -gt 0 ] && kill "$client" 2>/dev/null || true
  for i in 0 1 2; do stop_node $i TERM; done
  if $keep; then
    echo "# kept $work"
  else
    # The figures outlive the data: results, samples and logs go to a sibling directory.
    local out=$work.results
    mkdir -p "$out"
    cp "$work"/*.txt "$work"/*.csv "$work"/*.json "$work"/*.log "$out"/ 2>/dev/null || true
    rm -rf "$work"
    echo "# data deleted; results in $out"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

members="n1:$net.1:19960:19970,n2:$net.2:19960:19970,n3:$net.3:19960:19970"
endpoints="$net.1:19970,$net.2:19970,$net.3:19970"
export KV_ENDPOINTS=$endpoints
results=$work/results.txt
: > "$results"
say() { echo "$*" | tee -a "$results"; }

start_node() { # $1 = index 0..2
  local n=$(($1 + 1))
  KV_JAVA_OPTS="-Xms128m -Xmx$heap ${BIGDATA_JAVA_OPTS:-}" \
    "$kv" start --config "$work/n$n.properties" >> "$work/n$n.log" 2>&1 &
  pids[$1]=$!
  start_ns[$1]=$(date +%s%N)
}

for n in 1 2 3; do
  cat > "$work/n$n.properties" <<CONF
node.id=n$n
node.data-dir=$work/n$n
cluster.members=$members
cluster.partitions=$partitions
CONF
  for line in "${extra[@]}"; do echo "$line" >> "$work/n$n.properties"; done
done
declare -a start_ns
for i in 0 1 2; do start_node $i; done

deadline=$((SECONDS + 600))
until "$kv" put --timeout 5s bench/probe ok >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || { echo "bench-bigdata: cluster did not come up" >&2; tail -5 "$work/n1.log" >&2; exit 1; }
  sleep 0.5
done

# Memory of every node every 10 s, heap (jcmd) and disk every 60 s, until the end.
sample() {
  local t0=$SECONDS tick=0
  echo "elapsed_s,phase,node,pid,vmrss_kb,rss_anon_kb,rss_file_kb,heap_used_kb,disk_kb" > "$work/samples.csv"
  while [ -d "$work" ]; do
    phase=$(cat "$work/phase" 2>/dev/null || echo idle)
    for i in 0 1 2; do
      pid=${pids[$i]}
      # pids[] of this subshell goes stale on restart; the pid file is current.
      pid=$(cat "$work/pid.$i" 2>/dev/null || echo "$pid")
      [ -r "/proc/$pid/status" ] || continue
      read -r rss anon file < <(awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} /^RssFile/ {f=$2} END {print r, a, f}' "/proc/$pid/status")
      heapkb=
      if [ $((tick % 6)) -eq 0 ]; then
        # A jcmd that times out on a loaded machine must not end the sampler (pipefail, set -e).
        heapkb=$(timeout 30 jcmd "$pid" GC.heap_info 2>/dev/null | awk '/total/ && /used/ {for (j = 1; j <= NF; j++) if ($j == "used") {v=$(j+1); sub("K,?", "", v); print v; exit}}' || true)
      fi
      disk=
      if [ $((tick % 6)) -eq 0 ]; then disk=$(du -sk "$work/n$((i + 1))" 2>/dev/null | cut -f1 || true); fi
      echo "$((SECONDS - t0)),$phase,n$((i + 1)),$pid,$rss,$anon,$file,$heapkb,$disk" >> "$work/samples.csv"
    done
    # Measured: ~2.7 bytes per user byte per replica mid-load, more than the 4x estimate above
    # for a 3-node cluster; stop loading rather than let the disk fall below the reserve.
    if [ "$(df --output=avail -B1 "$work" | tail -1)" -lt $reserve ] && [ ! -e "$work/disk-low" ]; then
      touch "$work/disk-low"
      echo "bench-bigdata: less than 15 GiB free; stopping the load" >&2
      kill "$(cat "$work/client.pid" 2>/dev/null || echo 0)" 2>/dev/null || true
    fi
    tick=$((tick + 1))
    sleep 10
  done
}
for i in 0 1 2; do echo "${pids[$i]}" > "$work/pid.$i"; done
sample &
sampler=$!

say "# bench-bigdata $(date -u +%FT%TZ) bytes=$bytes partitions=$partitions heap=$heap value_size=$value_size in_flight=$in_flight batch=$batch dir=$work"
say "# node config extra: ${extra[*]}"
say "# machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

if $reuse; then
  say "# reusing the data loaded in $work"
  say "load (earlier run): $(cat "$work/load.json")"
  if [ -n "$top_up" ]; then
    echo top-up > "$work/phase"
    say "top-up: $("$kv" -o json bench load --bytes "$(to_bytes "$top_up")" --start-key 0 --value-size "$value_size" \
      --batch "$batch" --in-flight "$in_flight" --max-time "$max_load_time" 2>> "$work/load.log")"
  fi
else
echo load > "$work/phase"
# In the background so that a signal reaches the trap at once (bash defers traps until a
# foreground command ends).
"$kv" -o json bench load --bytes "$user_bytes" --value-size "$value_size" --batch "$batch" \
  --in-flight "$in_flight" --max-time "$max_load_time" > "$work/load.json" 2> >(tee "$work/load.log" >&2) &
client=$!
echo "$client" > "$work/client.pid"
wait $client || true
client=0
load=$(cat "$work/load.json")
[ -n "$load" ] || { echo "bench-bigdata: the load printed no result (see $work/load.log)" >&2; exit 1; }
say "load: $load"
fi
keys=$(python3 -c "import json,sys; print(json.load(open('$work/load.json'))['keys'])")
say "# machine after load: load average $(cut -d' ' -f1-3 /proc/loadavg)"

disk_report() { # $1 = label
  local total=0
  for n in 1 2 3; do
    local d=$work/n$n
    local all raft snap store
    all=$(du -sb "$d" | cut -f1)
    raft=$(find "$d" -type f \( -name 'log_*' -o -name 'raft-meta*' \) -printf '%s\n' 2>/dev/null | awk '{s+=$1} END {printf "%.0f\n", s}')
    snap=$(find "$d" -type f -path '*/sm/*' -printf '%s\n' 2>/dev/null | awk '{s+=$1} END {printf "%.0f\n", s}')
    store=$((all - raft - snap))
    total=$((total + all))
    say "disk $1 n$n: total $(numfmt --to=iec "$all") raft-log $(numfmt --to=iec "$raft") snapshots $(numfmt --to=iec "$snap") store+other $(numfmt --to=iec "$store")"
  done
  local user=$((keys * (16 + value_size)))
  say "disk $1 all nodes: $(numfmt --to=iec $total) for $(numfmt --to=iec $user) of user data = $(python3 -c "print(round($total / max(1, $user), 2))") bytes per user byte ($(python3 -c "print(round($total / 3 / max(1, $user), 2))") per replica)"
}
disk_report after-load || true

if ! $restart; then
  for dist in uniform zipfian; do
    echo "read-$dist" > "$work/phase"
    r=$("$kv" -o json bench read --preload skip --keys "$keys" --key-size 16 --distribution "$dist" \
      --in-flight "$read_in_flight" --duration "$read_duration" --warmup 5s 2>/dev/null || echo '{}')
    say "read $dist: $r"
  done
  echo status > "$work/phase"
  "$kv" -o json cluster status > "$work/status.json" 2>/dev/null || true
  say "cache: $(python3 -c "import json; d=json.load(open('$work/status.json')); print(' '.join('%s hits=%s misses=%s ratio=%.3f' % (n.get('node'), n['cache']['hits'], n['cache']['misses'], n['cache']['hitRatio']) for n in d if n.get('cache')))" 2>/dev/null)"
else
  # The commit index of every partition, as the leaders report it; n3 must reach it.
  commit_indexes() {
    "$kv" -o json cluster status 2>/dev/null | python3 -c "
import json, sys
best = {}
for n in json.load(sys.stdin):
    for g in n.get('groups', []):
        if g.get('meta'): continue
        p = g.get('partition', 0)
        best[p] = max(best.get(p, 0), int(g.get('commitIndex', 0)))
print(' '.join('%d=%d' % kv for kv in sorted(best.items())))"
  }
  # Seconds from process start until n3 has every partition healthy and applied to $1.
  wait_caught_up() { # $1 = "p=index ..." $2 = label
    local target=$1 label=$2 deadline=$((SECONDS + 900))
    while [ $SECONDS -lt $deadline ]; do
      if "$kv" -o json -e $net.3:19970 --timeout 2s cluster status 2>/dev/null | python3 -c "
import json, sys
want = dict(map(int, kv.split('=')) for kv in '$target'.split())
for n in json.load(sys.stdin):
    if n.get('node') != 'n3': continue
    got = {g.get('partition', 0): g for g in n.get('groups', []) if not g.get('meta')}
    ok = all(p in got and got[p].get('healthy') and int(got[p].get('appliedIndex', 0)) >= i for p, i in want.items())
    sys.exit(0 if ok else 1)
sys.exit(1)" 2>/dev/null; then
        say "restart $label: caught up $(python3 -c "print(round(($(date +%s%N) - ${start_ns[2]}) / 1e9, 2))") s after process start"
        return 0
      fi
      sleep 0.2
    done
    say "restart $label: not caught up within 900 s"
    return 1
  }
  wait_serving() { # $1 = label
    local deadline=$((SECONDS + 300)) i=0
    while [ $SECONDS -lt $deadline ]; do
      i=$((i + 1))
      if "$kv" -e $net.3:19970 --timeout 5s put "restart/$1/$i" ok >/dev/null 2>&1 \
        && "$kv" -e $net.3:19970 --timeout 5s get --consistency linearizable "restart/$1/$i" >/dev/null 2>&1; then
        say "restart $1: put + linearizable get via n3 ok $(python3 -c "print(round(($(date +%s%N) - ${start_ns[2]}) / 1e9, 2))") s after process start"
        return 0
      fi
      sleep 0.2
    done
    say "restart $1: put/get via n3 failed for 300 s"
  }
  for mode in kill9 clean; do
    echo "restart-$mode" > "$work/phase"
    target=$(commit_indexes)
    say "restart $mode: commit indexes before stop: $target"
    stop_started=$(date +%s%N)
    if [ $mode = kill9 ]; then stop_node 2 KILL; else stop_node 2 TERM 900; fi
    say "restart $mode: stop took $(python3 -c "print(round(($(date +%s%N) - $stop_started) / 1e9, 2))") s"
    start_node 2
    echo "${pids[2]}" > "$work/pid.2"
    wait_caught_up "$target" "$mode" || true
    wait_serving "$mode"
    grep -E "replay|Replay|snapshot|reopen|did not open" "$work/n3.log" | tail -5 >> "$work/restart-$mode.log" 2>/dev/null || true
  done
fi

echo done > "$work/phase"
sleep 1
kill "$sampler" 2>/dev/null || true
sampler=0
python3 - "$work/samples.csv" <<'PY' | tee -a "$results"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("memory per node (MiB): phase, samples, VmRSS max, RssAnon max, RssFile max, heap used max")
seen = []
for r in rows:
    k = (r["node"], r["phase"])
    if k not in seen:
        seen.append(k)
def mx(rs, f):
    v = [int(r[f]) for r in rs if r[f]]
    return "%.0f" % (max(v) / 1024) if v else "-"
for node, phase in sorted(seen):
    rs = [r for r in rows if r["node"] == node and r["phase"] == phase]
    print(f"  {node} {phase:14s} n={len(rs):3d} rss={mx(rs, 'vmrss_kb')} anon={mx(rs, 'rss_anon_kb')} file={mx(rs, 'rss_file_kb')} heap={mx(rs, 'heap_used_kb')}")
PY
say "# samples: $work/samples.csv"
