/**
 * The MapDB engine of the storage contract: one file per partition, a {@code BTreeMap<byte[],
 * byte[]>} per keyspace, MapDB transactions committed in groups. The only package that imports
 * MapDB.
 */
package io.kvstore.core.storage.mapdb;
