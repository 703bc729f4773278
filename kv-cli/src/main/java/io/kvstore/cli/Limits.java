package io.kvstore.cli;

/**
 * Size limits checked before anything is sent, so a bad request fails fast with a clear message
 * instead of a server round trip. They mirror the server's defaults; the server still enforces its
 * own configured limits.
 */
record Limits(int maxKeyBytes, int maxValueBytes) {
  static final int DEFAULT_MAX_KEY_BYTES = 1024;
  static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;

  void checkKey(byte[] key) {
    if (key.length == 0) {
      throw new InputException("key is empty; keys must be 1.." + maxKeyBytes + " bytes");
    }
    if (key.length > maxKeyBytes) {
      throw new InputException("key is " + key.length + " bytes; the limit is " + maxKeyBytes);
    }
  }

  void checkValue(long size) {
    if (size > maxValueBytes) {
      throw new InputException("value is " + size + " bytes; the limit is " + maxValueBytes);
    }
  }
}
