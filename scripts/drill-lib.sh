#!/usr/bin/env bash
# Shared by scripts/drill-*.sh: runs `kv drill ARGS...` from the built distribution against the
# local cluster (scripts/local-cluster.sh up), in the background so a trap can clean up after it:
# on exit, Ctrl-C or TERM the drill is stopped (by its pid) and any nftables table it created
# (inet kvdrill_<its pid>_*) is deleted, so no rule survives the drill. Exits with the drill's
# exit code (0 PASS, 1 FAIL, 2 usage, 4 could not run).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

kv=
for candidate in kv-cli/target/kvstore-*/bin/kv; do
  [ -x "$candidate" ] && kv=$ROOT/$candidate
done
[ -n "$kv" ] || { echo "drill: no distribution built; run scripts/local-cluster.sh up first" >&2; exit 4; }

drill_pid=
cleanup() {
  local status=$?
  if [ -n "$drill_pid" ] && kill -0 "$drill_pid" 2>/dev/null; then
    kill -TERM "$drill_pid" 2>/dev/null || true
    wait "$drill_pid" 2>/dev/null || true
  fi
  if [ -n "$drill_pid" ] && command -v nft >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    nft list tables 2>/dev/null | awk -v p="kvdrill_${drill_pid}_" '$2 == "inet" && index($3, p) == 1 { print $3 }' \
      | while read -r table; do
        nft delete table inet "$table" 2>/dev/null && echo "drill: removed leftover nft table inet $table" >&2
      done
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# bin/kv execs java, so $! is the drill JVM's pid (the nft table names carry it).
"$kv" drill "$@" &
drill_pid=$!
set +e
wait "$drill_pid"
rc=$?
set -e
exit "$rc"
