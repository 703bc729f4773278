package io.kvstore.core.storage;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiPredicate;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The engine-neutral snapshot file: a versioned header, every keyspace's entries in key order, and
 * a CRC32C trailer over everything before it.
 *
 * <pre>
 * magic "KVSNAP" (6 bytes) | format version (int) | applied term (long) | applied index (long)
 * repeated: keyspace id (byte, 1..127) | key length (int) | key | value length (int) | value
 * end marker (byte 0) | CRC32C of all previous bytes (long)
 * </pre>
 */
public final class SnapshotFormat {
  static final byte[] MAGIC = {'K', 'V', 'S', 'N', 'A', 'P'};
  public static final int VERSION = 1;

  private SnapshotFormat() {}

  /** Writes {@code view} to {@code out}; the caller holds the view steady while this runs. */
  public static void write(ReadView view, OutputStream out) throws IOException {
    write(view.applied(), (space, visitor) -> view.scan(space, null, null, visitor), out);
  }

  /** Visits every entry of a keyspace in key order until the visitor returns false. */
  @FunctionalInterface
  public interface Scanner {
    void scan(Keyspace space, BiPredicate<byte[], byte[]> visitor) throws IOException;
  }

  /**
   * Writes the entries {@code scanner} yields, as of position {@code applied}, to {@code out} (for
   * example a {@link ConsistentCut}, read while the store keeps applying writes).
   */
  public static void write(LogPosition applied, Scanner scanner, OutputStream out)
      throws IOException {
    CheckedOutputStream checked = new CheckedOutputStream(out, new CRC32C());
    DataOutputStream data = new DataOutputStream(checked);
    data.write(MAGIC);
    data.writeInt(VERSION);
    data.writeLong(applied.term());
    data.writeLong(applied.index());
    IOException[] failure = new IOException[1];
    for (Keyspace space : Keyspace.values()) {
      scanner.scan(
          space,
          (k, v) -> {
            try {
              data.writeByte(space.id());
              data.writeInt(k.length);
              data.write(k);
              data.writeInt(v.length);
              data.write(v);
              return true;
            } catch (IOException e) {
              failure[0] = e;
              return false;
            }
          });
      if (failure[0] != null) {
        throw failure[0];
      }
    }
    data.writeByte(0);
    data.flush();
    long crc = checked.getChecksum().getValue();
    data.writeLong(crc);
    data.flush();
  }

  /** Receives a snapshot's contents while it is read. */
  public interface Sink {
    void header(LogPosition applied) throws IOException;

    void entry(Keyspace space, byte[] key, byte[] value) throws IOException;
  }

  /** Reads the whole file once to check its header and checksum; returns its applied position. */
  public static LogPosition verify(Path file) throws IOException {
    LogPosition[] pos = new LogPosition[1];
    read(
        file,
        new Sink() {
          @Override
          public void header(LogPosition applied) {
            pos[0] = applied;
          }

          @Override
          public void entry(Keyspace space, byte[] key, byte[] value) {}
        });
    return pos[0];
  }

  /**
   * Streams a snapshot file into {@code sink}. The checksum is checked at the end, so a sink that
   * must not see corrupt data calls {@link #verify} first.
   */
  public static void read(Path file, Sink sink) throws IOException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      CheckedInputStream checked = new CheckedInputStream(raw, new CRC32C());
      DataInputStream in = new DataInputStream(checked);
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new IOException("not a snapshot file: " + file);
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new IOException("unsupported snapshot format version " + version + " in " + file);
      }
      sink.header(new LogPosition(in.readLong(), in.readLong()));
      while (true) {
        int spaceId = in.readUnsignedByte();
        if (spaceId == 0) {
          break;
        }
        Keyspace space;
        try {
          space = Keyspace.byId(spaceId);
        } catch (IllegalArgumentException e) {
          throw new IOException("corrupt snapshot " + file + ": " + e.getMessage());
        }
        byte[] key = readBytes(in, file);
        byte[] value = readBytes(in, file);
        sink.entry(space, key, value);
      }
      long expected = checked.getChecksum().getValue();
      long stored = new DataInputStream(raw).readLong();
      if (stored != expected) {
        throw new IOException("snapshot checksum mismatch in " + file);
      }
      if (raw.read() != -1) {
        throw new IOException("trailing bytes after snapshot checksum in " + file);
      }
    } catch (EOFException e) {
      throw new IOException("truncated snapshot file " + file, e);
    }
  }

  private static byte[] readBytes(DataInputStream in, Path file) throws IOException {
    int len = in.readInt();
    if (len < 0 || len > (64 << 20)) {
      throw new IOException("corrupt snapshot " + file + ": record length " + len);
    }
    byte[] b = new byte[len];
    in.readFully(b);
    return b;
  }
}
