package io.kvstore.client;

/**
 * A key's value as read. {@code version} is the log index of the write that last changed it, {@code
 * createVersion} the index of the write that created it.
 */
public record KeyValue(byte[] key, byte[] value, long version, long createVersion) {}
