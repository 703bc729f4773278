package io.kvstore.raft.statemachine;

import io.kvstore.core.codec.ValueCodec;
import io.kvstore.core.command.VersionedValue;
import io.kvstore.core.storage.ConsistentCut;
import io.kvstore.core.storage.Keyspace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hash replicas compare: SHA-256 over every user key in key order, each as {@code key length
 * (i32) | key | version (i64) | create version (i64) | value length (i32) | value}. Values are
 * decoded first, so replicas with different compression settings hash alike. Streams the cut: no
 * more than one entry is held at a time.
 */
final class DataHash {
  /** The hash and the number of keys it covers. */
  record Sum(byte[] hash, long keys) {}

  private DataHash() {}

  static Sum of(ConsistentCut cut) throws IOException {
    MessageDigest sha = sha256();
    long[] keys = {0};
    ByteBuffer head = ByteBuffer.allocate(4);
    ByteBuffer versions = ByteBuffer.allocate(20);
    cut.scan(
        Keyspace.DATA,
        (k, stored) -> {
          VersionedValue v = ValueCodec.decode(stored);
          head.clear();
          sha.update(head.putInt(k.length).array());
          sha.update(k);
          versions.clear();
          versions.putLong(v.version()).putLong(v.createVersion()).putInt(v.value().length);
          sha.update(versions.array());
          sha.update(v.value());
          keys[0]++;
          return true;
        });
    return new Sum(sha.digest(), keys[0]);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
