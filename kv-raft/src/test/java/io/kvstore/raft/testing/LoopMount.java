package io.kvstore.raft.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small ext4 file system in an image file, loop-mounted at a directory, for tests that need a
 * disk that really fills up. Needs root and {@code mkfs.ext4}, {@code mount}, {@code umount};
 * {@link #available()} says whether this machine allows it. {@link #close()} unmounts (which
 * detaches the loop device) and deletes the image, even after a failed test.
 */
public final class LoopMount implements AutoCloseable {
  private final Path image;
  private final Path mountPoint;
  private boolean mounted;

  private LoopMount(Path image, Path mountPoint) {
    this.image = image;
    this.mountPoint = mountPoint;
  }

  /** Whether this process may create loop mounts (root, tools present). */
  public static boolean available() {
    try {
      return run(List.of("id", "-u"), 10).strip().equals("0")
          && !run(List.of("sh", "-c", "command -v mkfs.ext4 mount umount losetup"), 10).isBlank()
          && Files.exists(Path.of("/dev/loop-control"));
    } catch (IOException e) {
      return false;
    }
  }

  /** Creates an ext4 image of {@code sizeMb} MiB and mounts it at {@code mountPoint}. */
  public static LoopMount create(Path image, Path mountPoint, int sizeMb) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.setLength((long) sizeMb << 20);
    }
    LoopMount m = new LoopMount(image, mountPoint);
    try {
      // No reserved blocks for root: the nodes run as root and would otherwise never see ENOSPC
      // until the last 5% are gone, too.
      run(List.of("mkfs.ext4", "-q", "-F", "-m", "0", image.toString()), 60);
      Files.createDirectories(mountPoint);
      run(List.of("mount", "-o", "loop", image.toString(), mountPoint.toString()), 60);
      m.mounted = true;
    } catch (IOException | RuntimeException e) {
      m.close();
      throw e;
    }
    return m;
  }

  public Path path() {
    return mountPoint;
  }

  /** Free bytes on the mounted file system. */
  public long usableBytes() throws IOException {
    return Files.getFileStore(mountPoint).getUsableSpace();
  }

  @Override
  public void close() {
    if (mounted) {
      String device = null;
      try {
        device = run(List.of("findmnt", "-n", "-o", "SOURCE", mountPoint.toString()), 10).strip();
      } catch (IOException ignored) {
        // unmount anyway
      }
      try {
        run(List.of("umount", mountPoint.toString()), 60);
      } catch (IOException e) {
        try {
          run(List.of("umount", "-l", mountPoint.toString()), 60);
        } catch (IOException ignored) {
          // reported below by the leftover device check
        }
      }
      mounted = false;
      if (device != null && device.startsWith("/dev/loop")) {
        try {
          // Normally autocleared by umount; detach explicitly if it is still attached.
          if (run(List.of("losetup", "-a"), 10).contains(device + ":")) {
            run(List.of("losetup", "-d", device), 10);
          }
        } catch (IOException ignored) {
          // best effort
        }
      }
    }
    try {
      Files.deleteIfExists(image);
    } catch (IOException ignored) {
      // the test's temp dir goes away with it
    }
  }

  private static String run(List<String> cmd, int timeoutSeconds) throws IOException {
    Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + ": timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(
          String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out.strip());
    }
    return out;
  }
}
