package io.kvstore.raft.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.client.KvClient;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.Consistency;
import io.kvstore.client.proto.GetResponse;
import io.kvstore.client.proto.GroupStatus;
import io.kvstore.client.proto.PartitionInfo;
import io.kvstore.raft.testing.DirectKv;
import io.kvstore.raft.testing.Groups;
import io.kvstore.raft.testing.LoopMount;
import io.kvstore.raft.testing.Poll;
import io.kvstore.raft.testing.ProcessCluster;
import io.kvstore.raft.testing.WriteLoad;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node's data directory on a real, small file system (a loop-mounted ext4 image) that a filler
 * file fills to the last block under a write load over three node processes: the node must say so
 * (status, one log line), refuse writes and hand its leaderships to the other replicas while writes
 * go on through them; once the filler is deleted it must take writes and its leaderships back by
 * itself, and every acknowledged write must be on all three nodes — also after the node is killed
 * and restarted (its store files reopen).
 *
 * <p>{@code -Dkvstore.diskfull.min-free-mb=0} turns the early step-aside off, so the Raft log and
 * the store meet ENOSPC themselves before the node notices.
 *
 * <p>Needs root (loop mounts); skipped otherwise, unless {@code KV_REQUIRE_ROOT_TESTS=1}, where it
 * fails instead.
 */
@Timeout(600)
class DiskFullIT {
  static final int PARTITIONS = 4;
  static final Duration WAIT = Duration.ofSeconds(120);
  static final int FULL = 0;
  @TempDir Path dir;

  @Test
  void dataDiskFills_nodeStepsAsideAndRecoversByItself_noAcknowledgedWriteLost() throws Exception {
    if ("1".equals(System.getenv("KV_REQUIRE_ROOT_TESTS"))) {
      assertTrue(LoopMount.available(), "KV_REQUIRE_ROOT_TESTS=1 but loop mounts are unavailable");
    }
    Assumptions.assumeTrue(LoopMount.available(), "needs root and loop devices");
    Properties p = new Properties();
    p.setProperty("cluster.partitions", Integer.toString(PARTITIONS));
    // With -Dkvstore.diskfull.min-free-mb=0 nothing steps aside before writes fail, so the Raft log
    // and the store meet the full disk themselves (the drill for the real ENOSPC paths).
    int minFreeMb = Integer.getInteger("kvstore.diskfull.min-free-mb", 16);
    p.setProperty("storage.disk.min-free-mb", Integer.toString(minFreeMb));
    p.setProperty("storage.disk.resume-free-mb", Integer.toString(Math.max(8, 2 * minFreeMb)));
    p.setProperty("storage.disk.check-interval-ms", "250");
    ProcessCluster cluster = new ProcessCluster(dir.resolve("cluster"), 3, p);
    Path filler = cluster.spec().dataDir(FULL).resolve("filler");
    Map<String, Long> timeline = new LinkedHashMap<>();
    try (LoopMount disk =
            LoopMount.create(dir.resolve("n1.img"), cluster.spec().dataDir(FULL), 128);
        ProcessCluster c = cluster.startAll();
        KvClient client = c.client()) {
      List<Integer> ledByFull = new ArrayList<>();
      for (int q = 0; q < PARTITIONS; q++) {
        // Three JVMs starting on a loaded machine can take minutes.
        c.awaitLeader(client, q, WAIT.multipliedBy(2));
      }
      // n1's partitions: those it is the preferred leader of (first replica in the map).
      ClusterMapResponse map = client.clusterMap();
      for (PartitionInfo info : map.getPartitionsList()) {
        if (info.getReplicas(0).equals(cluster.spec().id(FULL))) {
          ledByFull.add(info.getId());
        }
      }
      assertFalse(ledByFull.isEmpty(), "n1 is the preferred leader of some partition");
      Poll.until("n1 leads its preferred partitions", WAIT, () -> leadsAll(c, client, ledByFull));

      WriteLoad load = new WriteLoad(client, 16, 200_000, Duration.ofSeconds(240)).start();
      Poll.until("300 writes acknowledged", WAIT, () -> load.ackedCount() >= 300);

      long t0 = System.nanoTime();
      fill(filler);
      timeline.put("filled (free bytes)", disk.usableBytes());

      Poll.until(
          "n1 reports its data disk not writable",
          WAIT,
          () -> {
            ClusterStatusResponse s = c.status(client, FULL);
            return s != null && s.hasDisk() && !s.getDisk().getWritable();
          });
      timeline.put("detected ms", ms(t0));
      ClusterStatusResponse degraded = c.status(client, FULL);
      assertTrue(
          List.of("LOW_SPACE", "FAILED").contains(degraded.getDisk().getState()),
          degraded.getDisk().toString());
      assertFalse(degraded.getDisk().getReason().isEmpty(), "a reason is given");
      assertTrue(
          degraded.getGroupsList().stream().noneMatch(GroupStatus::getHealthy),
          "n1's replicas show unhealthy: " + degraded.getGroupsList());

      Poll.until(
          "every partition led by another node",
          WAIT,
          () -> {
            for (int q = 0; q < PARTITIONS; q++) {
              int l = c.leader(client, q);
              if (l < 0 || l == FULL) {
                return false;
              }
            }
            return true;
          });
      timeline.put("leadership moved ms", ms(t0));
      int before = load.ackedCount();
      Poll.until(
          "writes go on through the other replicas", WAIT, () -> load.ackedCount() >= before + 300);
      timeline.put("300 more writes acked ms", ms(t0));
      assertFalse(c.status(client, FULL).getDisk().getWritable(), "still full");

      long t1 = System.nanoTime();
      Files.delete(filler);
      Poll.until(
          "n1 reports its disk writable again",
          WAIT,
          () -> {
            ClusterStatusResponse s = c.status(client, FULL);
            return s != null && s.getDisk().getWritable();
          });
      timeline.put("writable again ms (after delete)", ms(t1));
      Poll.until(
          "n1 leads its preferred partitions again", WAIT, () -> leadsAll(c, client, ledByFull));
      timeline.put("leadership back ms (after delete)", ms(t1));
      int back = load.ackedCount();
      Poll.until("writes go on", WAIT, () -> load.ackedCount() >= back + 300);

      Map<String, Long> acked = load.stopAndGetAcked();
      for (int node = 0; node < 3; node++) {
        awaitCaughtUp(c, client, node);
        assertEquals(
            List.of(), missingOn(c, node, acked), "acknowledged writes missing on n" + (node + 1));
      }
      timeline.put("caught up and verified ms (after delete)", ms(t1));
      ClusterStatusResponse healthy = c.status(client, FULL);
      assertTrue(
          healthy.getGroupsList().stream().allMatch(GroupStatus::getHealthy),
          "n1's replicas healthy again: " + healthy.getGroupsList());

      // The store files reopen after a crash too.
      c.kill9(FULL);
      c.start(FULL);
      awaitCaughtUp(c, client, FULL);
      assertEquals(List.of(), missingOn(c, FULL, acked), "after restarting n1");
      assertEquals(0, setAside(cluster.spec().dataDir(FULL)), "no store was set aside as corrupt");

      long refusing = logLines(c.log(FULL), "refusing writes");
      assertEquals(1, refusing, "one log line when the disk filled");
      assertEquals(0, logLines(c.log(FULL), "caught a Throwable"), "no replica closed by Ratis");
      System.out.printf(
          "disk-full drill: %d writes acknowledged (%d failed or indeterminate), all on 3 nodes;"
              + " n1 led %s; timeline %s; n1 log: %d lines with a stack frame%n",
          acked.size(), load.failedCount(), ledByFull, timeline, logLines(c.log(FULL), "\tat "));
    } finally {
      Files.deleteIfExists(filler);
      keepLogs(cluster);
    }
  }

  /** Node logs go to target/DiskFullIT-logs for inspection (the temp dir is removed). */
  private static void keepLogs(ProcessCluster cluster) throws IOException {
    Path out = Path.of("target", "DiskFullIT-logs");
    Files.createDirectories(out);
    for (int i = 0; i < 3; i++) {
      Path log = cluster.log(i);
      if (Files.exists(log)) {
        Files.copy(
            log, out.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static boolean leadsAll(ProcessCluster c, KvClient client, List<Integer> partitions) {
    for (int q : partitions) {
      if (c.leader(client, q) != FULL) {
        return false;
      }
    }
    return true;
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  /** Writes 1 MiB blocks until the file system says it is full. */
  private static void fill(Path filler) {
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    try (FileChannel ch =
        FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      for (int i = 0; i < 4096; i++) {
        buf.clear();
        ch.write(buf);
      }
      throw new AssertionError("the file system did not fill up");
    } catch (IOException expected) {
      // No space left on device
    }
  }

  private static long logLines(Path log, String containing) throws IOException {
    try (Stream<String> lines = Files.lines(log)) {
      return lines.filter(l -> l.contains(containing)).count();
    }
  }

  private static long setAside(Path dataDir) throws IOException {
    try (Stream<Path> s = Files.walk(dataDir)) {
      return s.filter(x -> x.getFileName().toString().startsWith("corrupt-")).count();
    }
  }

  private static List<String> missingOn(ProcessCluster cluster, int node, Map<String, Long> acked) {
    List<String> missing = new ArrayList<>();
    try (DirectKv direct = new DirectKv(cluster.spec().clientEndpoint(node))) {
      for (Map.Entry<String, Long> e : acked.entrySet()) {
        GetResponse r = direct.get(e.getKey().getBytes(UTF_8), Consistency.ANY);
        if (!r.getFound()
            || !r.getValue().toStringUtf8().equals(WriteLoad.valueOf(e.getKey()))
            || r.getVersion() != e.getValue()) {
          missing.add(e.getKey());
        }
      }
    }
    return missing;
  }

  /** Fixes every partition leader's commit index, then waits until {@code node} applied it. */
  private static void awaitCaughtUp(ProcessCluster c, KvClient client, int node) {
    long[] target =
        Poll.value(
            "a leader for every partition",
            WAIT,
            () -> {
              long[] commits = new long[PARTITIONS];
              for (int q = 0; q < PARTITIONS; q++) {
                int leader = c.leader(client, q);
                GroupStatus lg = leader < 0 ? null : Groups.partition(c.status(client, leader), q);
                if (lg == null) {
                  return null;
                }
                commits[q] = lg.getCommitIndex();
              }
              return commits;
            });
    Poll.until(
        "n" + (node + 1) + " applies up to the leaders' commit indexes",
        WAIT,
        () -> {
          ClusterStatusResponse mine = c.status(client, node);
          for (int q = 0; q < PARTITIONS; q++) {
            GroupStatus g = Groups.partition(mine, q);
            if (g == null || g.getAppliedIndex() < target[q]) {
              return false;
            }
          }
          return true;
        });
  }
}
