package io.kvstore.cli;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.kvstore.client.KvClient;
import io.kvstore.client.KvUnavailableException;
import io.kvstore.client.proto.ClusterMapFile;
import io.kvstore.client.proto.ClusterMapFileRequest;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.PartitionInfo;
import io.kvstore.client.proto.SavePartitionChunk;
import io.kvstore.client.proto.SavePartitionRequest;
import io.kvstore.client.proto.SnapshotEnd;
import io.kvstore.client.proto.SnapshotStart;
import io.kvstore.core.storage.LogPosition;
import io.kvstore.core.storage.SnapshotFormat;
import io.kvstore.raft.admin.BackupManifest;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kv snapshot save DIR}: a backup of every partition and the cluster map. Each partition is
 * streamed from its leader, cut at a SNAPSHOT_CUT entry of its own log (so at least at its commit
 * index when the request reached it: a linearizable point per partition). Partitions are cut one
 * after another, independently: there is no single instant across partitions, which would need a
 * global timestamp. Every file is written to a temporary name, fsync'd, checked and renamed; the
 * manifest comes last, so a directory with a manifest is a complete backup.
 */
@Command(
    name = "save",
    description =
        "Write a consistent snapshot of every partition (each at its own linearizable point) and "
            + "the cluster map into DIR, which must be empty or absent.")
final class SnapshotSaveCommand implements Callable<Integer> {
  private static final List<String> COLUMNS =
      List.of("PARTITION", "TERM", "INDEX", "KEYS", "BYTES", "REPLICA");

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "Backup directory (empty or absent).")
  Path dir;

  @Option(
      names = "--partition-timeout",
      paramLabel = "DURATION",
      defaultValue = "30m",
      converter = DurationConverter.class,
      description = "Longest time one partition's stream may take (default: 30m).")
  Duration partitionTimeout;

  @Option(names = "--no-progress", description = "Do not print progress on stderr.")
  boolean noProgress;

  private final List<Path> written = new ArrayList<>();
  private long savedBytes;
  private long started;

  @Override
  public Integer call() throws IOException {
    Kv kv = Kv.of(spec);
    boolean existed = Files.exists(dir);
    checkTarget();
    started = System.nanoTime();
    List<BackupManifest.Partition> parts = new ArrayList<>();
    try (KvClient client = kv.openClient();
        AdminChannels admin = new AdminChannels()) {
      ClusterMapResponse map = client.clusterMap();
      if (!ClusterProbe.KEY_HASH.equals(map.getKeyHash())) {
        throw new IncompatibleMapException(
            "the cluster uses key hash '" + map.getKeyHash() + "', which this kv does not know");
      }
      ClusterMapFile mapFile = mapFile(admin, map);
      Files.createDirectories(dir);
      writeAtomically(
          dir.resolve(BackupManifest.CLUSTER_MAP_FILE), mapFile.getData().toByteArray());
      List<PartitionInfo> partitions = new ArrayList<>(map.getPartitionsList());
      partitions.sort(Comparator.comparingInt(PartitionInfo::getId));
      for (PartitionInfo p : partitions) {
        BackupManifest.Partition part = savePartition(admin, map, p, kv.timeout);
        parts.add(part);
        savedBytes += part.bytes();
        progress(
            String.format(
                Locale.ROOT,
                "partition %d saved (%d of %d): %d keys, %s at index %d from %s (total %s, %s/s)",
                part.id(),
                parts.size(),
                partitions.size(),
                part.dataKeys(),
                Units.bytes(part.bytes()),
                part.index(),
                part.replica(),
                Units.bytes(savedBytes),
                Units.bytes((long) (savedBytes / Math.max(1e-3, seconds())))));
      }
      BackupManifest manifest =
          new BackupManifest(
              BackupManifest.FORMAT,
              Instant.now().toString(),
              map.getPartitionCount(),
              map.getKeyHash(),
              map.getEpoch(),
              BackupManifest.CLUSTER_MAP_FILE,
              parts);
      writeAtomically(
          dir.resolve(BackupManifest.FILE), manifest.render().getBytes(StandardCharsets.UTF_8));
      fsyncDirectory(dir);
    } catch (IOException | RuntimeException e) {
      cleanUp(existed);
      throw e;
    }
    print(kv, parts);
    return ExitCodes.OK;
  }

  private void checkTarget() throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    if (!Files.isDirectory(dir)) {
      throw new InputException(dir + " exists and is not a directory");
    }
    try (Stream<Path> s = Files.list(dir)) {
      if (s.findAny().isPresent()) {
        throw new InputException(
            dir + " is not empty; refusing to overwrite (use a new directory)");
      }
    }
  }

  private ClusterMapFile mapFile(AdminChannels admin, ClusterMapResponse map) {
    StatusRuntimeException last = null;
    for (var n : map.getNodesList()) {
      try {
        return admin
            .blocking(n.getClientEndpoint())
            .withDeadlineAfter(Kv.of(spec).timeout.toMillis(), TimeUnit.MILLISECONDS)
            .getClusterMapFile(ClusterMapFileRequest.getDefaultInstance());
      } catch (StatusRuntimeException e) {
        last = e;
      }
    }
    throw new KvUnavailableException(
        "no node answered with its cluster map file: " + ErrorHandler.describe(last), last);
  }

  /**
   * Streams one partition from its leader into its file, following leader redirects and trying
   * other replicas until {@code timeout} passes without success.
   */
  private BackupManifest.Partition savePartition(
      AdminChannels admin, ClusterMapResponse map, PartitionInfo p, Duration timeout)
      throws IOException {
    List<String> candidates = AdminChannels.replicasLeaderFirst(map, p);
    if (candidates.isEmpty()) {
      throw new KvUnavailableException("partition " + p.getId() + " has no known replica", null);
    }
    String endpoint = candidates.get(0);
    int next = 0;
    long failingSince = 0;
    while (true) {
      try {
        return streamTo(admin, endpoint, p.getId());
      } catch (StatusRuntimeException e) {
        long now = System.nanoTime();
        if (failingSince == 0) {
          failingSince = now;
        }
        if (now - failingSince > timeout.toNanos()) {
          throw new KvUnavailableException(
              "partition " + p.getId() + " could not be saved: " + ErrorHandler.describe(e), e);
        }
        String hint = AdminChannels.leaderHint(e);
        if (hint != null && !hint.equals(endpoint)) {
          endpoint = hint;
          continue;
        }
        next = (next + 1) % candidates.size();
        endpoint = candidates.get(next);
        pause(200);
      }
    }
  }

  private BackupManifest.Partition streamTo(AdminChannels admin, String endpoint, int id)
      throws IOException {
    String name = BackupManifest.partitionFile(id);
    Path target = dir.resolve(name);
    Path tmp = dir.resolve(name + ".tmp");
    MessageDigest sha = sha256();
    SnapshotStart start = null;
    SnapshotEnd end = null;
    long bytes = 0;
    long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    Context.CancellableContext call = Context.current().withCancellation();
    Context previous = call.attach();
    written.add(tmp);
    try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
        OutputStream out = fos) {
      Iterator<SavePartitionChunk> it =
          admin
              .blocking(endpoint)
              .withDeadlineAfter(partitionTimeout.toMillis(), TimeUnit.MILLISECONDS)
              .savePartition(SavePartitionRequest.newBuilder().setPartition(id).build());
      while (it.hasNext()) {
        SavePartitionChunk c = it.next();
        switch (c.getPartCase()) {
          case START -> start = c.getStart();
          case DATA -> {
            c.getData().writeTo(out);
            for (var b : c.getData().asReadOnlyByteBufferList()) {
              sha.update(b);
            }
            bytes += c.getData().size();
            if (System.nanoTime() > nextReport) {
              nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
              progress("partition " + id + ": " + Units.bytes(bytes) + " so far");
            }
          }
          case END -> end = c.getEnd();
          default ->
              throw new IOException("partition " + id + ": unexpected message from " + endpoint);
        }
      }
      out.flush();
      fos.getChannel().force(true);
    } finally {
      call.detach(previous);
      call.cancel(null);
    }
    if (start == null || end == null || end.getBytes() != bytes) {
      throw new IOException("partition " + id + ": the stream from " + endpoint + " ended early");
    }
    LogPosition at = SnapshotFormat.verify(tmp);
    if (at.index() != start.getIndex() || at.term() != start.getTerm()) {
      throw new IOException(
          "partition " + id + ": snapshot is at " + at + ", the stream announced " + start);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    written.add(target);
    return new BackupManifest.Partition(
        id,
        name,
        start.getTerm(),
        start.getIndex(),
        end.getDataKeys(),
        end.getEntries(),
        bytes,
        HexFormat.of().formatHex(sha.digest()),
        start.getNodeId());
  }

  private void print(Kv kv, List<BackupManifest.Partition> parts) {
    PrintWriter out = spec.commandLine().getOut();
    long keys = parts.stream().mapToLong(BackupManifest.Partition::dataKeys).sum();
    double secs = seconds();
    if (kv.output() == OutputFormat.json) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (BackupManifest.Partition p : parts) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("partition", p.id());
        row.put("term", p.term());
        row.put("index", p.index());
        row.put("keys", p.dataKeys());
        row.put("bytes", p.bytes());
        row.put("sha256", p.sha256());
        row.put("replica", p.replica());
        rows.add(row);
      }
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("dir", dir.toString());
      doc.put("partitions", rows);
      doc.put("keys", keys);
      doc.put("bytes", savedBytes);
      doc.put("seconds", Math.round(secs * 1000) / 1000.0);
      out.println(Json.render(doc));
    } else {
      TextTable t = new TextTable(COLUMNS);
      for (BackupManifest.Partition p : parts) {
        t.add(
            List.of(
                Integer.toString(p.id()),
                Long.toString(p.term()),
                Long.toString(p.index()),
                Long.toString(p.dataKeys()),
                kv.output() == OutputFormat.table
                    ? Units.bytes(p.bytes())
                    : Long.toString(p.bytes()),
                p.replica()));
      }
      t.print(out, kv.output());
      if (kv.output() == OutputFormat.table) {
        out.printf(
            Locale.ROOT,
            "saved %d partitions (%d keys, %s) to %s in %.1f s (%s/s)%n",
            parts.size(),
            keys,
            Units.bytes(savedBytes),
            dir,
            secs,
            Units.bytes((long) (savedBytes / Math.max(1e-3, secs))));
      }
    }
    out.flush();
  }

  private double seconds() {
    return (System.nanoTime() - started) / 1e9;
  }

  private void progress(String line) {
    if (!noProgress) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(line);
      err.flush();
    }
  }

  /** Removes what this run wrote, so a failed save leaves the directory as it found it. */
  private void cleanUp(boolean existed) {
    for (Path p : written) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // best effort; the error that got us here matters more
      }
    }
    try {
      if (!existed) {
        Files.deleteIfExists(dir);
      }
    } catch (IOException ignored) {
      // not empty or gone: leave it
    }
  }

  private void writeAtomically(Path target, byte[] data) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    written.add(tmp);
    Files.write(tmp, data);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    written.add(target);
  }

  private static void fsyncDirectory(Path d) throws IOException {
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms); // backoff between attempts, not synchronization
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvUnavailableException("interrupted", e);
    }
  }
}
