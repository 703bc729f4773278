#!/usr/bin/env bash
# Operator drill against the local cluster (scripts/local-cluster.sh up): SIGSTOP the leader of a
# partition for a few election timeouts under write load, SIGCONT it, read back every acknowledged
# write.
# Prints the availability gap per partition, whether anything acknowledged was lost, and a
# PASS/FAIL verdict (exit 0/1). Options go to `kv drill pause` (see --help there).
exec "$(dirname "${BASH_SOURCE[0]}")/drill-lib.sh" pause "$@"
