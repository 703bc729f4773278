package io.kvstore.core.cluster;

import io.kvstore.core.codec.CodecException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Binary form of a {@link ClusterMap}, stored in the meta group and in each node's data directory:
 * {@code format (u8 = 1) | epoch | P | N | nodes | partitions | meta voters | CRC32C}. Strings are
 * modified UTF-8 ({@link DataOutputStream#writeUTF}).
 *
 * <p>Versioning: a node's state is one byte, {@link NodeEntry.State#code()}. New states take new
 * codes within format 1 rather than a new format, so every map written so far (all nodes ACTIVE,
 * code 0) decodes unchanged and re-encodes to the same bytes, and a reader that predates a state
 * refuses a map using it ("unknown node state") instead of misreading it. A change of layout would
 * take a new format byte.
 */
public final class ClusterMapCodec {
  static final int FORMAT = 1;

  private ClusterMapCodec() {}

  public static byte[] encode(ClusterMap map) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeLong(map.epoch());
      out.writeInt(map.partitionCount());
      out.writeInt(map.replicationFactor());
      out.writeInt(map.nodes().size());
      for (NodeEntry n : map.nodes()) {
        out.writeUTF(n.id());
        out.writeUTF(n.raftEndpoint());
        out.writeUTF(n.clientEndpoint());
        out.writeUTF(n.zone());
        out.writeInt(n.weight());
        out.writeByte(n.state().code());
      }
      for (PartitionEntry p : map.partitions()) {
        out.writeByte(p.replicas().size());
        for (String r : p.replicas()) {
          out.writeUTF(r);
        }
      }
      out.writeByte(map.metaVoters().size());
      for (String v : map.metaVoters()) {
        out.writeUTF(v);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] body = bytes.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(body);
    byte[] out = Arrays.copyOf(body, body.length + 8);
    long c = crc.getValue();
    for (int i = 0; i < 8; i++) {
      out[body.length + i] = (byte) (c >>> (56 - 8 * i));
    }
    return out;
  }

  public static ClusterMap decode(byte[] bytes) {
    if (bytes.length < 9) {
      throw new CodecException("cluster map too short");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 8);
    long stored = 0;
    for (int i = bytes.length - 8; i < bytes.length; i++) {
      stored = (stored << 8) | (bytes[i] & 0xff);
    }
    if (stored != crc.getValue()) {
      throw new CodecException("cluster map checksum mismatch");
    }
    try (DataInputStream in =
        new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 8))) {
      int format = in.readUnsignedByte();
      if (format != FORMAT) {
        throw new CodecException("unknown cluster map format " + format);
      }
      long epoch = in.readLong();
      int partitions = in.readInt();
      int replicas = in.readInt();
      int nodeCount = in.readInt();
      List<NodeEntry> nodes = new ArrayList<>();
      for (int i = 0; i < nodeCount; i++) {
        String id = in.readUTF();
        String raft = in.readUTF();
        String client = in.readUTF();
        String zone = in.readUTF();
        int weight = in.readInt();
        NodeEntry.State state = NodeEntry.State.fromCode(in.readUnsignedByte());
        nodes.add(new NodeEntry(id, raft, client, zone, weight, state));
      }
      List<PartitionEntry> entries = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        int n = in.readUnsignedByte();
        List<String> set = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          set.add(in.readUTF());
        }
        entries.add(new PartitionEntry(p, set));
      }
      int voters = in.readUnsignedByte();
      List<String> meta = new ArrayList<>();
      for (int i = 0; i < voters; i++) {
        meta.add(in.readUTF());
      }
      if (in.available() != 0) {
        throw new CodecException("trailing bytes in cluster map");
      }
      return new ClusterMap(epoch, partitions, replicas, nodes, entries, meta);
    } catch (IOException | IllegalArgumentException e) {
      throw new CodecException("malformed cluster map: " + e.getMessage());
    }
  }
}
