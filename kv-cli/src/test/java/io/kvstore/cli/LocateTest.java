package io.kvstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.PartitionInfo;
import io.kvstore.core.ring.HashRange;
import io.kvstore.core.ring.KeyHasher;
import io.kvstore.core.ring.PartitionScheme;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link LocateCommand#locate} against hand-made maps: the client-side routing rule. */
class LocateTest {

  private static ClusterMapResponse.Builder map(int partitions) {
    PartitionScheme s = PartitionScheme.of(partitions);
    ClusterMapResponse.Builder b =
        ClusterMapResponse.newBuilder()
            .setEpoch(1)
            .setPartitionCount(partitions)
            .setReplicationFactor(1)
            .setKeyHash("xxh64-seed0-hashtag");
    for (int p = 0; p < partitions; p++) {
      HashRange r = s.range(p);
      b.addPartitions(
          PartitionInfo.newBuilder()
              .setId(p)
              .setRangeStart(r.startInclusive())
              .setRangeEnd(r.endExclusive())
              .addReplicas("n" + (p % 3 + 1)));
    }
    return b;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void locate_isTheKeysXxh64CutIntoTheMapsPartitionCount() {
    ClusterMapResponse m = map(16).build();
    for (String key : new String[] {"a", "user:42", "it/locate", "\u00fc"}) {
      long hash = KeyHasher.hashKey(utf8(key));
      LocateCommand.Location at = LocateCommand.locate(m, utf8(key));
      assertEquals(hash, at.hash(), key);
      assertEquals(PartitionScheme.of(16).partitionOf(hash), at.partition(), key);
      // With 16 equal ranges the partition is the hash's top hex digit.
      assertEquals((int) (hash >>> 60), at.partition(), key);
      assertTrue(at.range().contains(hash), key);
      assertEquals(at.partition(), at.info().getId(), key);
    }
  }

  @Test
  void locate_keysSharingAHashTagShareAPartition() {
    ClusterMapResponse m = map(64).build();
    int p = LocateCommand.locate(m, utf8("cart:{u42}")).partition();
    assertEquals(p, LocateCommand.locate(m, utf8("orders:{u42}")).partition());
    assertEquals(p, LocateCommand.locate(m, utf8("u42")).partition());
  }

  @Test
  void locate_refusesAMapWithAnotherKeyHashFunction() {
    ClusterMapResponse m = map(16).setKeyHash("murmur3-seed1").build();
    IncompatibleMapException e =
        assertThrows(IncompatibleMapException.class, () -> LocateCommand.locate(m, utf8("k")));
    assertTrue(e.getMessage().contains("'murmur3-seed1'"), e.getMessage());
  }

  @Test
  void locate_refusesAMapWithoutAKeyHash() {
    ClusterMapResponse m = map(16).clearKeyHash().build();
    assertThrows(IncompatibleMapException.class, () -> LocateCommand.locate(m, utf8("k")));
  }

  @Test
  void locate_refusesAMapWhosePartitionRangeDoesNotHoldTheHash() {
    // Every partition states its neighbour's range: the computed partition never holds the key.
    ClusterMapResponse.Builder b = map(16);
    PartitionScheme s = PartitionScheme.of(16);
    for (int p = 0; p < 16; p++) {
      HashRange r = s.range((p + 1) % 16);
      b.setPartitions(
          p,
          b.getPartitions(p).toBuilder()
              .setRangeStart(r.startInclusive())
              .setRangeEnd(r.endExclusive()));
    }
    ClusterMapResponse m = b.build();
    IncompatibleMapException e =
        assertThrows(IncompatibleMapException.class, () -> LocateCommand.locate(m, utf8("k")));
    assertTrue(e.getMessage().contains("does not contain the key's hash"), e.getMessage());
  }

  @Test
  void locate_refusesAMapMissingTheKeysPartition() {
    ClusterMapResponse m = map(16).build();
    int p = LocateCommand.locate(m, utf8("k")).partition();
    ClusterMapResponse without = m.toBuilder().removePartitions(p).build();
    assertThrows(IncompatibleMapException.class, () -> LocateCommand.locate(without, utf8("k")));
  }

  @Test
  void locate_refusesAPartitionCountOutsideTheScheme() {
    ClusterMapResponse m = map(1).setPartitionCount(0).build();
    assertThrows(IncompatibleMapException.class, () -> LocateCommand.locate(m, utf8("k")));
  }
}
