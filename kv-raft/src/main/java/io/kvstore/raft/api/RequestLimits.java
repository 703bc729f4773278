package io.kvstore.raft.api;

/** Size limits on keys and values, checked before anything is proposed. */
public record RequestLimits(int maxKeyBytes, int maxValueBytes) {

  void checkKey(byte[] key) {
    if (key.length == 0) {
      throw new IllegalArgumentException("key must not be empty");
    }
    if (key.length > maxKeyBytes) {
      throw new IllegalArgumentException(
          "key is " + key.length + " bytes; the limit is " + maxKeyBytes);
    }
  }

  void checkValue(byte[] value) {
    if (value.length > maxValueBytes) {
      throw new IllegalArgumentException(
          "value is " + value.length + " bytes; the limit is " + maxValueBytes);
    }
  }
}
