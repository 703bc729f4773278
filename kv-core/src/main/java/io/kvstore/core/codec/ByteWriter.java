package io.kvstore.core.codec;

import java.util.Arrays;

/** Writes the primitives of the store's binary formats into a growing byte array; big-endian. */
final class ByteWriter {
  private byte[] buf;
  private int len;

  ByteWriter(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  ByteWriter u8(int v) {
    ensure(1);
    buf[len++] = (byte) v;
    return this;
  }

  ByteWriter i64(long v) {
    ensure(8);
    for (int i = 7; i >= 0; i--) {
      buf[len++] = (byte) (v >>> (8 * i));
    }
    return this;
  }

  ByteWriter varint(int v) {
    ensure(5);
    while ((v & ~0x7f) != 0) {
      buf[len++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[len++] = (byte) v;
    return this;
  }

  ByteWriter bytes(byte[] b) {
    varint(b.length);
    return raw(b);
  }

  ByteWriter raw(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
    return this;
  }

  byte[] toByteArray() {
    return len == buf.length ? buf : Arrays.copyOf(buf, len);
  }

  private void ensure(int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }
}
