package io.kvstore.raft.statemachine;

import io.kvstore.core.storage.PartitionStore;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;

/**
 * Writes a partition snapshot the crash-safe way: into a temporary file, fsync'd, renamed into
 * place, directory fsync'd; then its MD5 (which Ratis checks when shipping it to another replica)
 * and the storage's "latest" pointer. The file format itself carries a version and a CRC32C.
 */
final class SnapshotWriter {
  private final SimpleStateMachineStorage storage;

  SnapshotWriter(SimpleStateMachineStorage storage) {
    this.storage = storage;
  }

  void write(PartitionStore store, TermIndex at) throws IOException {
    File target = storage.getSnapshotFile(at.getTerm(), at.getIndex());
    Path dir = target.getParentFile().toPath();
    Files.createDirectories(dir);
    // The name must not match Ratis's "snapshot.<term>_<index>" pattern while incomplete.
    Path tmp = dir.resolve("partial." + at.getTerm() + "-" + at.getIndex() + ".tmp");
    try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
        OutputStream out = new BufferedOutputStream(fos, 1 << 16)) {
      store.exportSnapshot(out);
      out.flush();
      fos.getChannel().force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(
        tmp, target.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
    fsyncDirectory(dir);
    storage.updateLatestSnapshot(
        new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), at));
  }

  /** Deletes temporary files a crash or a full disk left behind while writing a snapshot. */
  static void removePartialFiles(SimpleStateMachineStorage storage) throws IOException {
    File dir = storage.getSnapshotFile(0, 0).getParentFile();
    File[] partial = dir == null ? null : dir.listFiles((d, name) -> name.startsWith("partial."));
    if (partial == null) {
      return;
    }
    for (File f : partial) {
      Files.deleteIfExists(f.toPath());
    }
  }

  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
