package io.kvstore.raft.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Checks, before anything starts, the problems an operator can fix, so each becomes one clear line
 * instead of a stack trace from deep inside Ratis or gRPC.
 */
final class Preflight {
  static final String MARKER = "node.id";

  private Preflight() {}

  static void checkDataDir(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (FileSystemException e) {
      throw new NodeStartException("data directory " + dir + " cannot be created: " + reason(e));
    } catch (IOException e) {
      throw new NodeStartException(
          "data directory " + dir + " cannot be created: " + e.getMessage());
    }
    if (!Files.isDirectory(dir)) {
      throw new NodeStartException("data directory " + dir + " is not a directory");
    }
    Path probe = dir.resolve(".write-probe");
    try (FileChannel ch =
        FileChannel.open(
            probe,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[4096]));
      ch.force(true);
    } catch (AccessDeniedException e) {
      throw new NodeStartException("data directory " + dir + " is not writable");
    } catch (IOException e) {
      throw new NodeStartException("cannot write to data directory " + dir + ": " + e.getMessage());
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException ignored) {
        // the probe is harmless if it stays
      }
    }
  }

  static void checkPortFree(String what, String host, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new NodeStartException(
          what
              + " address "
              + host
              + ":"
              + port
              + " is not available ("
              + e.getMessage()
              + "): port in use or address not local");
    }
  }

  /**
   * Whether this data directory was initialized before. A directory initialized for another node id
   * is refused: its Raft state would be replayed under the wrong identity.
   */
  static boolean initializedBefore(Path dir, String nodeId) {
    Path marker = dir.resolve(MARKER);
    if (!Files.exists(marker)) {
      return false;
    }
    try {
      String stored = Files.readString(marker, StandardCharsets.UTF_8).trim();
      if (!stored.equals(nodeId)) {
        throw new NodeStartException(
            "data directory " + dir + " belongs to node '" + stored + "', not '" + nodeId + "'");
      }
      return true;
    } catch (IOException e) {
      throw new NodeStartException("cannot read " + marker + ": " + e.getMessage());
    }
  }

  static void markInitialized(Path dir, String nodeId) throws IOException {
    Path marker = dir.resolve(MARKER);
    Path tmp = dir.resolve(MARKER + ".tmp");
    Files.writeString(tmp, nodeId + "\n", StandardCharsets.UTF_8);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, marker, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static String reason(FileSystemException e) {
    if (e.getReason() != null) {
      return e.getReason();
    }
    if (e instanceof java.nio.file.FileAlreadyExistsException) {
      return e.getFile() + " exists and is not a directory";
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such directory: " + e.getFile();
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied: " + e.getFile();
    }
    return e.getClass().getSimpleName() + " " + e.getFile();
  }
}
