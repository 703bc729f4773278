package io.kvstore.raft.server;

import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.ClusterMapCodec;
import io.kvstore.core.codec.CodecException;
import io.kvstore.core.storage.LogPosition;
import io.kvstore.core.storage.SnapshotFormat;
import io.kvstore.raft.admin.BackupManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Seeds a fresh node's data directory from a backup, before the node's first start (as {@code
 * etcdctl snapshot restore} does): the snapshot of every partition the node will host is staged in
 * {@code <data dir>/restore/}. On first start each such group installs its staged snapshot as its
 * first Ratis snapshot (see {@code KvStateMachine.seedFrom}), so the group holds exactly the saved
 * keys with their versions and its log continues above the saved index; then the staging directory
 * is removed.
 *
 * <p>Run it for every node of the new cluster before any of them starts: a partition whose majority
 * starts empty would elect an empty leader.
 */
public final class SnapshotRestore {
  static final String STAGING = "restore";

  private SnapshotRestore() {}

  /** What was staged for one partition. */
  public record Staged(int partition, long term, long index, long dataKeys, long bytes) {}

  /** The staged snapshot of {@code partition} in {@code dataDir}, if a restore left one. */
  public static Path stagedSnapshot(Path dataDir, int partition) {
    return dataDir.resolve(STAGING).resolve(BackupManifest.partitionFile(partition));
  }

  /** Removes the staging directory once every group has installed its snapshot. */
  static void finish(Path dataDir) throws IOException {
    Path dir = dataDir.resolve(STAGING);
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * Stages the partitions {@code config}'s node will host from the backup in {@code backupDir}.
   * Refuses (a {@link ConfigException} with one line, nothing written) a data directory that is not
   * empty, a backup of another partition count or key hash, and a damaged backup.
   */
  public static List<Staged> restore(NodeConfig config, Path backupDir) throws IOException {
    BackupManifest manifest = BackupManifest.read(backupDir);
    if (!"xxh64-seed0-hashtag".equals(manifest.keyHash())) {
      throw new ConfigException(
          "backup uses key hash '" + manifest.keyHash() + "', which this version does not know");
    }
    ClusterMap saved;
    Path mapFile = backupDir.resolve(manifest.clusterMapFile());
    try {
      saved = ClusterMapCodec.decode(Files.readAllBytes(mapFile));
    } catch (NoSuchFileException e) {
      throw new IOException("backup lacks its cluster map " + mapFile);
    } catch (CodecException e) {
      throw new IOException("backup cluster map is damaged: " + e.getMessage());
    }
    if (saved.partitionCount() != manifest.partitionCount()) {
      throw new IOException(
          "backup is inconsistent: manifest says "
              + manifest.partitionCount()
              + " partitions, its cluster map "
              + saved.partitionCount());
    }
    if (config.partitions() != manifest.partitionCount()) {
      throw new ConfigException(
          "backup has "
              + manifest.partitionCount()
              + " partitions but "
              + config.partitions()
              + " are configured (cluster.partitions); the partition count cannot change on "
              + "restore");
    }
    Path dataDir = config.dataDir();
    if (Files.exists(dataDir)) {
      if (!Files.isDirectory(dataDir)) {
        throw new ConfigException("data directory " + dataDir + " is not a directory");
      }
      try (Stream<Path> s = Files.list(dataDir)) {
        if (s.findAny().isPresent()) {
          throw new ConfigException(
              "data directory "
                  + dataDir
                  + " is not empty; restore only seeds a node that has never started");
        }
      }
    }
    ClusterMap map;
    try {
      map =
          ClusterMap.bootstrap(
              config.members().stream().map(Member::toNodeEntry).toList(),
              config.partitions(),
              config.replicationFactor());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    List<Integer> hosted = map.partitionsOf(config.nodeId());
    // Check everything before writing anything.
    for (int p : hosted) {
      BackupManifest.Partition part = manifest.partitions().get(p);
      Path file = backupDir.resolve(part.file());
      if (!Files.isRegularFile(file)) {
        throw new IOException("backup lacks " + file);
      }
      LogPosition at = SnapshotFormat.verify(file);
      if (at.index() != part.index() || at.term() != part.term()) {
        throw new IOException(
            "backup file "
                + file
                + " is at "
                + at
                + ", the manifest says term "
                + part.term()
                + " index "
                + part.index());
      }
    }
    Path staging = dataDir.resolve(STAGING);
    Files.createDirectories(staging);
    List<Staged> out = new ArrayList<>();
    try {
      for (int p : hosted) {
        BackupManifest.Partition part = manifest.partitions().get(p);
        copyChecked(backupDir.resolve(part.file()), stagedSnapshot(dataDir, p), part.sha256());
        out.add(new Staged(p, part.term(), part.index(), part.dataKeys(), part.bytes()));
      }
    } catch (IOException | RuntimeException e) {
      finish(dataDir); // leave the data directory as empty as it was
      throw e;
    }
    fsyncDirectory(staging);
    fsyncDirectory(dataDir);
    return out;
  }

  private static void copyChecked(Path from, Path to, String sha256) throws IOException {
    Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
    MessageDigest sha = sha256();
    try (InputStream in = Files.newInputStream(from);
        OutputStream out = Files.newOutputStream(tmp)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
        out.write(buf, 0, n);
      }
    }
    String actual = HexFormat.of().formatHex(sha.digest());
    if (!actual.equalsIgnoreCase(sha256)) {
      Files.deleteIfExists(tmp);
      throw new IOException("backup file " + from + " does not match its SHA-256 in the manifest");
    }
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
