package io.kvstore.raft.server;

import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.ClusterMapCodec;
import io.kvstore.core.codec.CodecException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The node's copy of the cluster map in its data directory ({@code cluster-map.bin}), so a
 * restarting node knows its partitions before any group has a leader. Written atomically.
 */
final class MapFile {
  static final String NAME = "cluster-map.bin";

  private MapFile() {}

  static ClusterMap load(Path dataDir) {
    Path f = dataDir.resolve(NAME);
    if (!Files.exists(f)) {
      return null;
    }
    try {
      return ClusterMapCodec.decode(Files.readAllBytes(f));
    } catch (IOException | CodecException e) {
      throw new NodeStartException("cannot read cluster map " + f + ": " + e.getMessage());
    }
  }

  static void save(Path dataDir, ClusterMap map) throws IOException {
    Path tmp = dataDir.resolve(NAME + ".tmp");
    Files.write(tmp, ClusterMapCodec.encode(map));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, dataDir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel ch = FileChannel.open(dataDir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
