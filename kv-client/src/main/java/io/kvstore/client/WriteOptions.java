package io.kvstore.client;

/**
 * Conditions and acknowledgement of a write. {@code ifVersion} > 0: apply only if the key's version
 * equals it; {@code ifAbsent}: only if the key does not exist; {@code ackAll}: wait until every
 * replica applied it (see {@link PutResult#onAllReplicas()}).
 */
public record WriteOptions(boolean ifAbsent, long ifVersion, boolean ackAll) {
  public static final WriteOptions DEFAULT = new WriteOptions(false, 0, false);

  public WriteOptions {
    if (ifAbsent && ifVersion > 0) {
      throw new IllegalArgumentException("if-absent and if-version exclude each other");
    }
    if (ifVersion < 0) {
      throw new IllegalArgumentException("if-version must be positive");
    }
  }

  public static WriteOptions onlyIfVersion(long version) {
    return new WriteOptions(false, version, false);
  }

  public static WriteOptions onlyIfAbsent() {
    return new WriteOptions(true, 0, false);
  }

  public WriteOptions withAckAll() {
    return new WriteOptions(ifAbsent, ifVersion, true);
  }
}
