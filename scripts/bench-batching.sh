#!/usr/bin/env bash
# Write batching on vs off, alternated in one run so the ratios survive a noisy machine.
#
#   scripts/bench-batching.sh [--rounds 3] [--duration 15s] [--in-flight "16 64 256"]
#                             [--off "server.batch.max-ops=1"] [--on "server.batch.max-ops=256"]
#                             [P ...]            (partition counts, default: 1 16)
#
# Each round runs scripts/bench-partitions.sh once per configuration (fresh 3-node cluster per
# partition count), the order of the two configurations alternating between rounds. --off/--on
# take space-separated key=value node config lines. Prints every point as CSV (config, round,
# partitions, in flight, ops/s, p50, p99, errors), /proc/loadavg around each run, then the
# median of each point over the rounds, and node CPU milliseconds per write (a measure that
# suffers less than throughput when other work competes for the CPU).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
duration=15s
inflight="16 64 256"
off="server.batch.max-ops=1"
on="server.batch.max-ops=256"
parts=()
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --in-flight) inflight=$2; shift 2 ;;
    --off) off=$2; shift 2 ;;
    --on) on=$2; shift 2 ;;
    -h | --help) sed -n 2,12p "$0"; exit 0 ;;
    *) parts+=("$1"); shift ;;
  esac
done
[ ${#parts[@]} -gt 0 ] || parts=(1 16)
[ "$rounds" -ge 1 ] && [ "$rounds" -le 20 ] || { echo "bench-batching: --rounds must be 1..20" >&2; exit 2; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
run() { # name, config lines, round
  local sets=()
  for kv in $2; do sets+=(--set "$kv"); done
  echo "# $(date -u +%H:%M:%S) $1 round $3 loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
  scripts/bench-partitions.sh --duration "$duration" --in-flight "$inflight" "${sets[@]}" "${parts[@]}" \
    | while IFS= read -r line; do
        case $line in
          "# P="*" cpu_s "*)
            echo "$line"
            # node CPU seconds of the measured points for this configuration, round and P
            echo "cpu,$1,$3,$(echo "$line" | sed -E 's/^# P=([0-9]+) .* cpu_s ([0-9.]+).*/\1,\2/')" >> "$out" ;;
          "#"* | partitions,*) echo "$line" ;;
          *) echo "$1,$3,$line" | tee -a "$out" ;;
        esac
      done || echo "# $1 round $3: bench-partitions failed (exit $?); points missing"
  echo "# $(date -u +%H:%M:%S) $1 round $3 loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)"
}
echo "config,round,partitions,in_flight,ops_per_sec,p50_ms,p99_ms,errors"
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then
    run off "$off" "$r"; run on "$on" "$r"
  else
    run on "$on" "$r"; run off "$off" "$r"
  fi
done
echo "# medians over $rounds rounds: config,partitions,in_flight,ops_per_sec,p50_ms,p99_ms"
python3 - "$out" "$duration" <<'PY'
import csv, statistics, sys
secs = float(sys.argv[2].rstrip("s")) + 3  # measured duration + the 3 s warm-up
rows, cpu, ops = {}, {}, {}
for line in csv.reader(open(sys.argv[1])):
    if line[0] == "cpu":
        _, c, r, p, s = line
        cpu[(c, r, int(p))] = cpu.get((c, r, int(p)), 0) + float(s)
        continue
    c, r, p, f, o, p50, p99, err = line
    rows.setdefault((c, int(p), int(f)), []).append((float(o), float(p50), float(p99)))
    ops[(c, r, int(p))] = ops.get((c, r, int(p)), 0) + float(o) * secs
for (c, p, f), v in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
    med = [statistics.median(x[i] for x in v) for i in range(3)]
    print(f"{c},{p},{f},{med[0]:.0f},{med[1]:.1f},{med[2]:.1f}")
print("# node CPU ms per write (3 nodes, all points of a run): config,partitions,per round...,median")
per = {}
for (c, r, p), s in sorted(cpu.items()):
    if ops.get((c, r, p)):
        per.setdefault((c, p), []).append(1000 * s / ops[(c, r, p)])
for (c, p), v in sorted(per.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    print(f"{c},{p}," + ",".join(f"{x:.2f}" for x in v) + f",{statistics.median(v):.2f}")
PY
