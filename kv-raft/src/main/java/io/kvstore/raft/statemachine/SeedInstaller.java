package io.kvstore.raft.statemachine;

import io.kvstore.core.storage.LogPosition;
import io.kvstore.core.storage.SnapshotFormat;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.server.storage.RaftStorageMetadata;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs a restored snapshot as a new group's first Ratis snapshot, before Ratis opens the log.
 *
 * <p>Ratis asks the state machine for its latest snapshot after {@code initialize} and starts the
 * log right after that snapshot's index; it reads the current term after {@code initialize} too. So
 * copying the file into the state machine directory as {@code snapshot.<term>_<index>} (the name
 * {@link SimpleStateMachineStorage} looks for) and raising the stored term to the snapshot's makes
 * the group continue at index + 1 with a term above the snapshot's, as if it had taken that
 * snapshot itself. The state machine then loads it into its empty store as usual.
 */
final class SeedInstaller {
  private static final Logger LOG = LoggerFactory.getLogger(SeedInstaller.class);

  private SeedInstaller() {}

  static void install(
      int partition, Path seed, SimpleStateMachineStorage storage, RaftStorage raftStorage)
      throws IOException {
    if (!Files.exists(seed)) {
      return;
    }
    LogPosition at = SnapshotFormat.verify(seed);
    SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
    if (latest != null && latest.getIndex() >= at.index()) {
      return; // installed before (a restart between install and the first snapshot is fine)
    }
    File target = storage.getSnapshotFile(at.term(), at.index());
    Path dir = target.getParentFile().toPath();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("partial.restore.tmp");
    Files.copy(seed, tmp, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, target.toPath(), StandardCopyOption.ATOMIC_MOVE);
    MD5FileUtil.computeAndSaveMd5ForFile(target);
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
    storage.loadLatestSnapshot();
    RaftStorageMetadata meta = raftStorage.getMetadataFile().getMetadata();
    if (meta.getTerm() < at.term()) {
      raftStorage
          .getMetadataFile()
          .persist(RaftStorageMetadata.valueOf(at.term(), meta.getVotedFor()));
    }
    LOG.info(
        "partition {}: restored snapshot installed at term {} index {}",
        partition,
        at.term(),
        at.index());
  }
}
