/**
 * The storage contract a partition's state machine writes through: a read view, and a write batch
 * that commits data together with the applied log position. Engines live in sub-packages; only
 * {@code storage.mapdb} imports MapDB.
 */
package io.kvstore.core.storage;
