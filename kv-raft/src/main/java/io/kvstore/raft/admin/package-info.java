/**
 * Operator functions served next to the client API: partition backups (consistent cuts streamed in
 * the snapshot file format), restores into a fresh node's data directory, and consistency checks
 * that compare replica hashes at one log index.
 */
package io.kvstore.raft.admin;
