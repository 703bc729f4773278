/**
 * The Ratis state machine of a partition: a thin adapter that decodes log entries, runs the
 * deterministic executor against the partition's store, and manages snapshots and the
 * pause/reinitialize lifecycle Ratis needs for snapshot installation.
 */
package io.kvstore.raft.statemachine;
