/**
 * Consistent hashing, as pure functions: a key hashes to a point of the unsigned 64-bit ring
 * ({@link io.kvstore.core.ring.KeyHasher}), the ring is cut into a fixed number of equal partitions
 * ({@link io.kvstore.core.ring.PartitionScheme}), and each partition gets an ordered, zone-aware
 * replica set from the nodes' virtual-node tokens ({@link io.kvstore.core.ring.Placement}). No I/O,
 * threads or clocks; every result depends only on the arguments.
 */
package io.kvstore.core.ring;
