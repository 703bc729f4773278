package io.kvstore.core.command;

/**
 * A stored value with its versions. {@code version} is the log index of the write that last changed
 * the key (etcd's mod_revision); {@code createVersion} the index of the write that created it.
 */
public record VersionedValue(byte[] value, long version, long createVersion) {}
