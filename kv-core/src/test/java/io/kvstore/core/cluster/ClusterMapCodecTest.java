package io.kvstore.core.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvstore.core.codec.CodecException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class ClusterMapCodecTest {
  /**
   * A map encoded by the codec as it was before node states other than ACTIVE existed (commit
   * a6dc798): 4 nodes n1..n4 on 127.0.0.x, zones a/b, n4 of weight 2, 4 partitions, N = 3. Maps
   * like it are on disk and in meta groups; they must keep decoding to the same map and encoding to
   * the same bytes.
   */
  static final String EPOCH1_MAP =
      "01000000000000000100000004000000030000000400026e31000e3132372e302e302e313a39383630000e31"
          + "32372e302e302e313a39383730000161000000010000026e32000e3132372e302e302e323a3938363000"
          + "0e3132372e302e302e323a39383730000162000000010000026e33000e3132372e302e302e333a393836"
          + "30000e3132372e302e302e333a39383730000161000000010000026e34000e3132372e302e302e343a39"
          + "383630000e3132372e302e302e343a3938373000016200000002000300026e3400026e3300026e320300"
          + "026e3300026e3200026e340300026e3100026e3400026e320300026e3200026e3100026e340300026e31"
          + "00026e3200026e33000000009ec19037";

  private static ClusterMap epoch1Map() {
    List<NodeEntry> nodes =
        List.of(
            Maps.node("n1", 1, "a", 1),
            Maps.node("n2", 2, "b", 1),
            Maps.node("n3", 3, "a", 1),
            Maps.node("n4", 4, "b", 2));
    List<PartitionEntry> partitions =
        List.of(
            new PartitionEntry(0, List.of("n4", "n3", "n2")),
            new PartitionEntry(1, List.of("n3", "n2", "n4")),
            new PartitionEntry(2, List.of("n1", "n4", "n2")),
            new PartitionEntry(3, List.of("n2", "n1", "n4")));
    return new ClusterMap(1, 4, 3, nodes, partitions, List.of("n1", "n2", "n3"));
  }

  @Test
  void decodesAMapWrittenBeforeNodeStatesWereAdded() {
    byte[] old = HexFormat.of().parseHex(EPOCH1_MAP);
    assertEquals(epoch1Map(), ClusterMapCodec.decode(old));
    assertArrayEquals(old, ClusterMapCodec.encode(epoch1Map()), "same bytes as before");
  }

  @Test
  void roundTripsADecommissioningNode() {
    ClusterMap map = epoch1Map().withDecommissioning("n1");
    ClusterMap back = ClusterMapCodec.decode(ClusterMapCodec.encode(map));
    assertEquals(map, back);
    assertEquals(NodeEntry.State.DECOMMISSIONING, back.node("n1").orElseThrow().state());
    assertEquals(2, back.epoch());
  }

  @Test
  void refusesAnUnknownNodeState() {
    byte[] bytes = HexFormat.of().parseHex(EPOCH1_MAP);
    // n1's state byte: format, epoch, P, N, count, then id, raft, client, zone, weight.
    int state = 1 + 8 + 4 + 4 + 4 + (2 + 2) + (2 + 14) + (2 + 14) + (2 + 1) + 4;
    assertEquals(0, bytes[state]);
    bytes[state] = 7;
    byte[] body = Arrays.copyOf(bytes, bytes.length - 8);
    CRC32C crc = new CRC32C();
    crc.update(body);
    for (int i = 0; i < 8; i++) {
      bytes[body.length + i] = (byte) (crc.getValue() >>> (56 - 8 * i));
    }
    CodecException e = assertThrows(CodecException.class, () -> ClusterMapCodec.decode(bytes));
    assertEquals("malformed cluster map: unknown node state 7", e.getMessage());
  }

  @Test
  void stateCodesAreFixed() {
    assertEquals(0, NodeEntry.State.ACTIVE.code());
    assertEquals(1, NodeEntry.State.DECOMMISSIONING.code());
    assertEquals(NodeEntry.State.DECOMMISSIONING, NodeEntry.State.fromCode(1));
  }
}
