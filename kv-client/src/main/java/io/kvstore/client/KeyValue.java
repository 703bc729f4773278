package io.kvstore.client;

import io.kvstore.client.proto.GetResponse;
import java.util.Optional;

/**
 * A key's value as read. {@code version} is the log index of the write that last changed it, {@code
 * createVersion} the index of the write that created it.
 */
public record KeyValue(byte[] key, byte[] value, long version, long createVersion) {
  static Optional<KeyValue> of(byte[] key, GetResponse r) {
    return r.getFound()
        ? Optional.of(
            new KeyValue(
                key.clone(), r.getValue().toByteArray(), r.getVersion(), r.getCreateVersion()))
        : Optional.empty();
  }
}
