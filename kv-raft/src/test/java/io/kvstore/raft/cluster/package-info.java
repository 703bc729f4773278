/** Integration tests of whole clusters on loopback: replication, failover, restart, recovery. */
package io.kvstore.raft.cluster;
