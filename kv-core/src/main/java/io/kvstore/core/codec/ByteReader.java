package io.kvstore.core.codec;

/** Reads the primitives of the store's binary formats from a byte array; big-endian. */
final class ByteReader {
  private final byte[] buf;
  private int pos;

  ByteReader(byte[] buf) {
    this.buf = buf;
  }

  int u8() {
    need(1);
    return buf[pos++] & 0xff;
  }

  long i64() {
    need(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (buf[pos++] & 0xff);
    }
    return v;
  }

  int varint() {
    int shift = 0;
    int result = 0;
    while (shift < 32) {
      int b = u8();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        if (result < 0) {
          throw new CodecException("negative length");
        }
        return result;
      }
      shift += 7;
    }
    throw new CodecException("malformed varint");
  }

  byte[] bytes() {
    int len = varint();
    need(len);
    byte[] out = new byte[len];
    System.arraycopy(buf, pos, out, 0, len);
    pos += len;
    return out;
  }

  byte[] rest() {
    byte[] out = new byte[buf.length - pos];
    System.arraycopy(buf, pos, out, 0, out.length);
    pos = buf.length;
    return out;
  }

  void end() {
    if (pos != buf.length) {
      throw new CodecException((buf.length - pos) + " trailing bytes");
    }
  }

  private void need(int n) {
    if (n < 0 || pos + n > buf.length) {
      throw new CodecException("truncated message");
    }
  }
}
