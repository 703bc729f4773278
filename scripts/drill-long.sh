#!/usr/bin/env bash
# A long seeded drill on a throwaway cluster: `kv drill run` with every fault kind (kill -9,
# SIGSTOP, nftables partitions, leadership-transfer storms) for 30 minutes by default.
#
#   scripts/drill-long.sh [--duration 30m] [--nodes 5] [--seed S] [--out DIR] [other kv drill run options]
#
# Bounded: the drill stops at --duration or --max-ops (default 5000000), whichever comes first.
# Partitions need root and nft (nodes then run under their own uids); without them use
# --nemesis process. The exit code is the drill's: 0 linearizable, 1 not, 4 could not run. Any
# nft table the drill created is removed on exit, also on Ctrl-C.
set -euo pipefail
# Defaults for the options not given (kv takes each option once).
args=()
for default in "--nemesis all" "--nodes 5" "--duration 30m" "--max-ops 5000000"; do
  name=${default%% *}
  given=false
  for arg in "$@"; do
    case $arg in "$name" | "$name"=*) given=true ;; esac
  done
  $given || args+=("$name" "${default#* }")
done
exec "$(dirname "${BASH_SOURCE[0]}")/drill-lib.sh" run "${args[@]}" "$@"
