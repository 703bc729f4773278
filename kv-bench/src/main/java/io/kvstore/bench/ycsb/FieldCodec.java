package io.kvstore.bench.ycsb;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A YCSB record (field name to bytes) as one stored value: the field count, then per field its name
 * (length-prefixed UTF-8) and its bytes (length-prefixed), all lengths 4-byte big-endian.
 */
final class FieldCodec {
  private FieldCodec() {}

  static byte[] encode(Map<String, byte[]> fields) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + fields.size() * 112);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(fields.size());
      for (Map.Entry<String, byte[]> f : fields.entrySet()) {
        byte[] name = f.getKey().getBytes(StandardCharsets.UTF_8);
        out.writeInt(name.length);
        out.write(name);
        out.writeInt(f.getValue().length);
        out.write(f.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The fields of a stored value, in stored order; IllegalArgumentException if malformed. */
  static Map<String, byte[]> decode(byte[] value) {
    ByteBuffer in = ByteBuffer.wrap(value);
    try {
      int n = in.getInt();
      if (n < 0 || n > value.length) {
        throw new IllegalArgumentException("not a YCSB record: " + n + " fields");
      }
      Map<String, byte[]> fields = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        byte[] name = new byte[in.getInt()];
        in.get(name);
        byte[] v = new byte[in.getInt()];
        in.get(v);
        fields.put(new String(name, StandardCharsets.UTF_8), v);
      }
      return fields;
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new IllegalArgumentException("not a YCSB record (" + e + ")", e);
    }
  }
}
