#!/usr/bin/env bash
# The store against etcd on the same machine, with the same load generator (`kv bench`, closed
# loop, HdrHistogram; etcd through jetcd), alternating between the two at every point so that
# drift in the machine's load hits both alike.
#
#   scripts/bench-vs-etcd.sh [--duration 15s] [--warmup 3s] [--keys 100000]
#                            [--in-flight "16 64 256"] [--partitions 1] [--out DIR]
#
# Starts a 3-member etcd (127.0.0.1, client ports 23791-23793, peers 23801-23803, fsync on as by
# default) and a 3-node store (127.0.3.1-3, ports 19960/19970, --partitions groups), each with its
# data in one temp dir. Then: the latency floor (median fsync of a 4 KiB write in that temp dir,
# appending or into a preallocated file, whichever is cheaper; median loopback TCP round trip), a preload of --keys keys into both, single-client writes, writes
# (16-byte keys, 128-byte values) and linearizable reads at each --in-flight level, and as a
# labelled extra, reads that may be stale (etcd serializable, store `any`) at 64 in flight.
# Every point records CPU-seconds of the driven servers, of the load generator and of everything
# else (flagged noisy above 20% of a core). Prints a ratio table (store/etcd) and writes
# results.csv and ratios.csv to --out (default: a directory under /tmp, printed at the end).
# Stops everything it started, by PID, and removes the temp dir, also on failure or Ctrl-C.
#
# Needs `mvn -B -DskipTests package` first (kv-cli distribution, kv-bench/target/benchmarks.jar);
# installs etcd-server with apt-get if `etcd` is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=15s
warmup=3s
keys=100000
inflight="16 64 256"
partitions=1
out=
while [ $# -gt 0 ]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --keys) keys=$2; shift 2 ;;
    --in-flight) inflight=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) sed -n 2,22p "$0"; exit 0 ;;
    *) echo "bench-vs-etcd: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

kv=$(ls -d kv-cli/target/kvstore-*/bin/kv 2>/dev/null | head -1)
jar=kv-bench/target/benchmarks.jar
if [ ! -x "$kv" ] || [ ! -f "$jar" ]; then
  echo "bench-vs-etcd: build first: mvn -B -DskipTests package" >&2
  exit 2
fi
if ! command -v etcd >/dev/null 2>&1; then
  echo "bench-vs-etcd: installing etcd-server (apt-get)" >&2
  sudo=
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q etcd-server etcd-client >&2
fi

work=$(mktemp -d -t bench-vs-etcd.XXXXXX)
[ -n "$out" ] || out=$(mktemp -d -t bench-vs-etcd-results.XXXXXX)
mkdir -p "$out"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_busy() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
for p in 23791 23792 23793 23801 23802 23803; do
  if port_busy 127.0.0.1 $p; then echo "bench-vs-etcd: 127.0.0.1:$p is in use" >&2; exit 1; fi
done
for i in 1 2 3; do
  for p in 19960 19970; do
    if port_busy 127.0.3.$i $p; then echo "bench-vs-etcd: 127.0.3.$i:$p is in use" >&2; exit 1; fi
  done
done

echo "# $(date -u +%FT%TZ) $(nproc) cpus, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
  "etcd $(etcd --version | awk '/etcd Version/ {print $3}'), store partitions $partitions," \
  "$duration per point after $warmup warm-up, $keys keys"

# etcd: three members, one data dir each, default fsync.
cluster=e1=http://127.0.0.1:23801,e2=http://127.0.0.1:23802,e3=http://127.0.0.1:23803
etcd_eps=127.0.0.1:23791,127.0.0.1:23792,127.0.0.1:23793
etcd_pids=()
for i in 1 2 3; do
  etcd --name e$i --data-dir "$work/etcd/e$i" \
    --listen-client-urls http://127.0.0.1:2379$i --advertise-client-urls http://127.0.0.1:2379$i \
    --listen-peer-urls http://127.0.0.1:2380$i --initial-advertise-peer-urls http://127.0.0.1:2380$i \
    --initial-cluster $cluster --initial-cluster-token bench-vs-etcd --initial-cluster-state new \
    --logger zap --log-outputs stderr --log-level warn > "$work/etcd-e$i.log" 2>&1 &
  pids+=($!)
  etcd_pids+=($!)
done

# The store: three nodes, as scripts/bench-partitions.sh starts them.
members="n1:127.0.3.1:19960:19970,n2:127.0.3.2:19960:19970,n3:127.0.3.3:19960:19970"
store_eps=127.0.3.1:19970,127.0.3.2:19970,127.0.3.3:19970
store_pids=()
for i in 1 2 3; do
  cat > "$work/n$i.properties" <<CONF
node.id=n$i
node.data-dir=$work/store/n$i
cluster.members=$members
cluster.partitions=$partitions
CONF
  "$kv" start --config "$work/n$i.properties" > "$work/store-n$i.log" 2>&1 &
  pids+=($!)
  store_pids+=($!)
done

deadline=$((SECONDS + 120))
until ETCDCTL_API=3 etcdctl --endpoints=$etcd_eps --command-timeout=5s endpoint health >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || { echo "bench-vs-etcd: etcd did not come up" >&2; tail -5 "$work/etcd-e1.log" >&2; exit 1; }
  sleep 0.5
done
until KV_ENDPOINTS=$store_eps "$kv" put --timeout 5s bench/probe ok >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || { echo "bench-vs-etcd: the store did not come up" >&2; tail -5 "$work/store-n1.log" >&2; exit 1; }
  sleep 0.5
done

java_opts=(-Dlogback.configurationFile=conf/logback-cli.xml -cp "$jar")
floor=$(java "${java_opts[@]}" io.kvstore.bench.LatencyFloor "$work" 500)
echo "# latency floor (this disk, loopback): $floor"

results=$out/results.csv
: > "$results"
# bench POINT TARGET ARGS...: one `kv bench` run; appends "point,<its JSON fields>" to $results.
bench() {
  local point=$1 target=$2
  shift 2
  local eps pidlist
  if [ "$target" = store ]; then
    eps=$store_eps
    pidlist=$(IFS=,; echo "${store_pids[*]}")
  else
    eps=$etcd_eps
    pidlist=$(IFS=,; echo "${etcd_pids[*]}")
  fi
  local json
  json=$(java "${java_opts[@]}" io.kvstore.cli.Kv -e "$eps" -o json bench --target "$target" \
    --keys "$keys" --cpu-pids "$pidlist" "$@" 2>>"$work/bench-$target.log") || {
    echo "bench-vs-etcd: $target $point failed:" >&2
    tail -5 "$work/bench-$target.log" >&2
    exit 1
  }
  POINT=$point JSON=$json python3 - "$results" <<'PY'
import csv, json, os, sys
row = {"point": os.environ["POINT"], **json.loads(os.environ["JSON"])}
new = os.path.getsize(sys.argv[1]) == 0
with open(sys.argv[1], "a", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(row))
    if new:
        w.writeheader()
    w.writerow(row)
PY
  echo "$point $target: $json" >&2
}

# Alternate which target goes first from one point to the next.
n=0
pair() {
  local point=$1 store_args=$2 etcd_args=$3
  # shellcheck disable=SC2086
  if [ $((n % 2)) = 0 ]; then
    bench "$point" store $store_args
    bench "$point" etcd $etcd_args
  else
    bench "$point" etcd $etcd_args
    bench "$point" store $store_args
  fi
  n=$((n + 1))
}

common="--duration $duration --warmup $warmup"
# The preload tolerates a loaded machine: a long per-request deadline (the measured points keep
# the default 10s and count what times out as errors).
pair preload "read --preload only --in-flight 256 --timeout 60s" \
  "read --preload only --in-flight 256 --timeout 60s"
pair write-1 "write --in-flight 1 $common" "write --in-flight 1 $common"
for f in $inflight; do
  pair "write-$f" "write --in-flight $f $common" "write --in-flight $f $common"
done
for f in $inflight; do
  pair "read-$f" "read --preload skip --in-flight $f $common" \
    "read --preload skip --in-flight $f $common"
done
pair "stale-read-64" "read --preload skip --in-flight 64 --consistency any $common" \
  "read --preload skip --in-flight 64 --consistency serializable $common"

echo "# $(date -u +%FT%TZ) load average $(cut -d' ' -f1-3 /proc/loadavg)"
FLOOR=$floor python3 - "$results" "$out/ratios.csv" <<'PY'
import csv, json, os, sys
rows = list(csv.DictReader(open(sys.argv[1])))
by = {}
for r in rows:
    by.setdefault(r["point"], {})[r["target"]] = r
def f(r, k):
    return float(r[k])
def ratio(a, b):
    return a / b if b else float("nan")
out = []
print()
print("%-14s %-24s %9s %9s %7s %7s %7s %7s %8s %8s %6s %-6s" % (
    "point", "consistency s/e", "store/s", "etcd/s", "ops x", "p50 x", "p99 x", "cpu x",
    "s cpu/1k", "e cpu/1k", "other", "noisy"))
for point, t in by.items():
    s, e = t.get("store"), t.get("etcd")
    if not s or not e:
        continue
    rec = {
        "point": point,
        "store_consistency": s["consistency"], "etcd_consistency": e["consistency"],
        "store_ops_per_sec": f(s, "opsPerSec"), "etcd_ops_per_sec": f(e, "opsPerSec"),
        "ops_ratio": ratio(f(s, "opsPerSec"), f(e, "opsPerSec")),
        "store_p50_ms": f(s, "p50Ms"), "etcd_p50_ms": f(e, "p50Ms"),
        "p50_ratio": ratio(f(s, "p50Ms"), f(e, "p50Ms")),
        "store_p99_ms": f(s, "p99Ms"), "etcd_p99_ms": f(e, "p99Ms"),
        "p99_ratio": ratio(f(s, "p99Ms"), f(e, "p99Ms")),
        "store_server_cpu_s_per_1k_ops": f(s, "serverCpuSPer1kOps"),
        "etcd_server_cpu_s_per_1k_ops": f(e, "serverCpuSPer1kOps"),
        "cpu_per_op_ratio": ratio(f(s, "serverCpuSPer1kOps"), f(e, "serverCpuSPer1kOps")),
        "store_other_cpu_s": f(s, "otherCpuS"), "etcd_other_cpu_s": f(e, "otherCpuS"),
        "store_errors": s["errors"], "etcd_errors": e["errors"],
        "noisy": s["noisy"] == "True" or e["noisy"] == "True",
    }
    out.append(rec)
    print("%-14s %-24s %9.0f %9.0f %7.2f %7.2f %7.2f %7.2f %8.4f %8.4f %6.1f %-6s" % (
        point, s["consistency"] + "/" + e["consistency"], rec["store_ops_per_sec"],
        rec["etcd_ops_per_sec"], rec["ops_ratio"], rec["p50_ratio"], rec["p99_ratio"],
        rec["cpu_per_op_ratio"], rec["store_server_cpu_s_per_1k_ops"],
        rec["etcd_server_cpu_s_per_1k_ops"],
        max(rec["store_other_cpu_s"], rec["etcd_other_cpu_s"]), "yes" if rec["noisy"] else ""))
with open(sys.argv[2], "w", newline="") as fh:
    w = csv.DictWriter(fh, fieldnames=list(out[0]))
    w.writeheader()
    w.writerows(out)
floor = json.loads(os.environ["FLOOR"])
if "write-1" in by:
    for tgt in ("store", "etcd"):
        p50 = f(by["write-1"][tgt], "p50Ms")
        print("single-client write p50 %-5s %.2f ms = %.2fx the floor (%.2f ms = fsync %.2f + 2 x rtt %.3f)%s" % (
            tgt, p50, p50 / floor["floorMs"], floor["floorMs"], floor["fsyncP50Ms"],
            floor["rttP50Ms"], "" if p50 <= 1.5 * floor["floorMs"] else "  [above 1.5x]"))
PY
echo "# results: $results, $out/ratios.csv"
