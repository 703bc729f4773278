#!/usr/bin/env bash
# Operator drill against the local cluster (scripts/local-cluster.sh up): cut the leader of a
# partition off with nftables under write load (needs root and a cluster started with scripts/local-
# cluster.sh up --uids), heal, read back every acknowledged write.
# Prints the availability gap per partition, whether anything acknowledged was lost, and a
# PASS/FAIL verdict (exit 0/1). Options go to `kv drill partition` (see --help there).
exec "$(dirname "${BASH_SOURCE[0]}")/drill-lib.sh" partition "$@"
