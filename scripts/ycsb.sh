#!/usr/bin/env bash
# YCSB core workloads A-F against the store, through the binding in kv-bench
# (io.kvstore.bench.ycsb.KvYcsbClient).
#
#   scripts/ycsb.sh [--endpoints HOST:PORT,...] [--start] [--workloads "a b c f d e"]
#                   [--records 10000] [--ops 20000] [--threads 16] [--max-seconds 60]
#                   [--load-seconds 600]
#                   [--consistency linearizable] [--out DIR] [-- extra YCSB arguments]
#
# Loads --records records once (10 fields x 100 bytes, one stored value per record; fails if the
# load does not finish within --load-seconds), then runs
# each workload (in YCSB's recommended order by default) for --ops operations or --max-seconds,
# whichever comes first, with HdrHistogram percentiles. --start runs against a fresh 3-node
# cluster on 127.0.4.1-3 (ports 19660/19670, data in a temp dir, stopped by PID at the end)
# instead of the running one given by --endpoints / $KV_ENDPOINTS (default: the local cluster,
# scripts/local-cluster.sh up). Raw YCSB output goes to --out (default: a temp dir, printed);
# a summary (throughput, p50/p99 per operation) is printed at the end.
#
# Needs `mvn -B -DskipTests package` first (kv-bench/target/benchmarks.jar; --start also needs
# the kv-cli distribution).
set -euo pipefail
cd "$(dirname "$0")/.."

endpoints=${KV_ENDPOINTS:-127.0.0.1:9870,127.0.0.2:9870,127.0.0.3:9870}
start=false
workloads="a b c f d e"
records=10000
ops=20000
threads=16
max_seconds=60
load_seconds=600
consistency=linearizable
out=
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --endpoints) endpoints=$2; shift 2 ;;
    --start) start=true; shift ;;
    --workloads) workloads=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --ops) ops=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --max-seconds) max_seconds=$2; shift 2 ;;
    --load-seconds) load_seconds=$2; shift 2 ;;
    --consistency) consistency=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) sed -n 2,20p "$0"; exit 0 ;;
    *) echo "ycsb: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for w in $workloads; do
  [ -f "kv-bench/ycsb/workload$w" ] || { echo "ycsb: no workload '$w' (a-f)" >&2; exit 2; }
done

jar=kv-bench/target/benchmarks.jar
[ -f "$jar" ] || { echo "ycsb: build first: mvn -B -DskipTests package" >&2; exit 2; }
[ -n "$out" ] || out=$(mktemp -d -t ycsb-results.XXXXXX)
mkdir -p "$out"

pids=()
work=
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  [ -z "$work" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if $start; then
  kv=$(ls -d kv-cli/target/kvstore-*/bin/kv 2>/dev/null | head -1)
  [ -x "$kv" ] || { echo "ycsb: --start needs the distribution: mvn -B -DskipTests package" >&2; exit 2; }
  work=$(mktemp -d -t ycsb-cluster.XXXXXX)
  members="n1:127.0.4.1:19660:19670,n2:127.0.4.2:19660:19670,n3:127.0.4.3:19660:19670"
  endpoints=127.0.4.1:19670,127.0.4.2:19670,127.0.4.3:19670
  for i in 1 2 3; do
    printf 'node.id=n%s\nnode.data-dir=%s\ncluster.members=%s\n' "$i" "$work/n$i" "$members" \
      > "$work/n$i.properties"
    "$kv" start --config "$work/n$i.properties" > "$work/n$i.log" 2>&1 &
    pids+=($!)
  done
  deadline=$((SECONDS + 240))
  until KV_ENDPOINTS=$endpoints "$kv" put --timeout 5s ycsb/probe ok >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "ycsb: the cluster did not come up" >&2; tail -5 "$work/n1.log" >&2; exit 1; }
    sleep 0.5
  done
fi

ycsb() {
  local phase=$1 w=$2 seconds=$3
  shift 3
  java -Dlogback.configurationFile=conf/logback-cli.xml -cp "$jar" site.ycsb.Client "$phase" \
    -db io.kvstore.bench.ycsb.KvYcsbClient -P "kv-bench/ycsb/workload$w" \
    -p kv.endpoints="$endpoints" -p kv.read-consistency="$consistency" \
    -p recordcount="$records" -p operationcount="$ops" -p maxexecutiontime="$seconds" \
    -p measurementtype=hdrhistogram -p hdrhistogram.percentiles=50,99,99.9 \
    -threads "$threads" "$@" "${extra[@]}"
}

first=${workloads%% *}
echo "# $(date -u +%FT%TZ) load: $records records into $endpoints ($threads threads)"
ycsb -load "$first" "$load_seconds" > "$out/load.txt" 2> "$out/load.err" \
  || { tail -5 "$out/load.err" >&2; exit 1; }
loaded=$(awk -F', ' '/^\[INSERT\], Operations,/ {print $3}' "$out/load.txt")
if [ "${loaded:-0}" != "$records" ]; then
  echo "ycsb: the load wrote ${loaded:-0} of $records records within ${load_seconds}s; see $out/load.txt" >&2
  exit 1
fi
for w in $workloads; do
  echo "# $(date -u +%FT%TZ) workload $w: $ops operations or ${max_seconds}s" \
    "(load average $(cut -d' ' -f1-3 /proc/loadavg))"
  ycsb -t "$w" "$max_seconds" > "$out/workload$w.txt" 2> "$out/workload$w.err" || { tail -5 "$out/workload$w.err" >&2; exit 1; }
done

printf '\n%-8s %-18s %10s %9s %9s %9s %8s\n' phase operation "ops/s|n" "p50 ms" "p99 ms" "p99.9 ms" failed
for f in "$out"/load.txt "$out"/workload*.txt; do
  python3 - "$f" <<'PY'
import re, sys
name = sys.argv[1].rsplit("/", 1)[1][:-4]
stats = {}
for line in open(sys.argv[1]):
    m = re.match(r"\[(\w[\w-]*)\], (.+?), (.+)", line.strip())
    if m:
        stats.setdefault(m.group(1), {})[m.group(2)] = m.group(3)
tput = stats.get("OVERALL", {}).get("Throughput(ops/sec)", "?")
print("%-8s %-18s %10s" % (name, "OVERALL", tput.split(".")[0]))
for op, s in stats.items():
    if op in ("OVERALL", "CLEANUP") or op.endswith("-FAILED") or "Operations" not in s:
        continue
    ms = lambda k: "%.2f" % (float(s[k]) / 1000) if k in s else "-"
    failed = stats.get(op + "-FAILED", {}).get("Operations", "0")
    print("%-8s %-18s %10s %9s %9s %9s %8s" % (name, op, s["Operations"],
        ms("50thPercentileLatency(us)"), ms("99thPercentileLatency(us)"),
        ms("99.9PercentileLatency(us)"), failed))
PY
done
echo "# raw output: $out"
