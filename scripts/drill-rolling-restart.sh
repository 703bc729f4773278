#!/usr/bin/env bash
# Operator drill against the local cluster (scripts/local-cluster.sh up): restart every node in turn
# under write load, waiting for health after each, read back every acknowledged write.
# Prints the availability gap per partition, whether anything acknowledged was lost, and a
# PASS/FAIL verdict (exit 0/1). Options go to `kv drill rolling-restart` (see --help there).
exec "$(dirname "${BASH_SOURCE[0]}")/drill-lib.sh" rolling-restart "$@"
