package io.kvstore.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The floor under a replicated write on this machine: the median of one fsync'd 4 KiB write in a
 * directory and of one TCP round trip over loopback (1-byte ping-pong). The write is measured two
 * ways: appending to a growing file (the fsync also persists the new file size) and overwriting
 * blocks of a preallocated file (as logs with preallocated segments do: etcd's WAL, Ratis'
 * segments); the floor uses the cheaper one. A majority write needs at least one fsync and two
 * round trips (client to leader, leader to follower). Usage: {@code java -cp benchmarks.jar
 * io.kvstore.bench.LatencyFloor DIR [N]}; prints one JSON line. Writes and removes two files in
 * DIR; bounded to N operations of each kind.
 */
public final class LatencyFloor {
  private LatencyFloor() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: LatencyFloor DIR [N]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    double append = fsyncP50Ms(dir, n, false);
    double prealloc = fsyncP50Ms(dir, n, true);
    double fsync = Math.min(append, prealloc);
    double rtt = loopbackRttP50Ms(n * 4);
    System.out.printf(
        "{\"fsyncAppendP50Ms\":%.3f,\"fsyncPreallocatedP50Ms\":%.3f,\"fsyncP50Ms\":%.3f,"
            + "\"rttP50Ms\":%.3f,\"floorMs\":%.3f,\"samples\":%d}%n",
        append, prealloc, fsync, rtt, fsync + 2 * rtt, n);
  }

  static double fsyncP50Ms(Path dir, int n, boolean preallocate) throws IOException {
    Path file = Files.createTempFile(dir, "fsync", ".probe");
    long[] t = new long[n];
    ByteBuffer block = ByteBuffer.allocate(4096);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      if (preallocate) {
        for (int i = 0; i < n; i++) {
          block.clear();
          ch.write(block);
        }
        ch.force(true);
      }
      for (int i = 0; i < n; i++) {
        block.clear();
        long t0 = System.nanoTime();
        ch.write(block, (long) i * 4096);
        ch.force(false);
        t[i] = System.nanoTime() - t0;
      }
    } finally {
      Files.deleteIfExists(file);
    }
    return median(t);
  }

  static double loopbackRttP50Ms(int n) throws IOException {
    InetAddress lo = InetAddress.getLoopbackAddress();
    try (ServerSocket server = new ServerSocket(0, 1, lo)) {
      Thread echo =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  s.setTcpNoDelay(true);
                  InputStream in = s.getInputStream();
                  OutputStream out = s.getOutputStream();
                  int b;
                  while ((b = in.read()) >= 0) {
                    out.write(b);
                    out.flush();
                  }
                } catch (IOException e) {
                  // the client closed
                }
              },
              "loopback-echo");
      echo.setDaemon(true);
      echo.start();
      long[] t = new long[n];
      try (Socket c = new Socket()) {
        c.connect(new InetSocketAddress(lo, server.getLocalPort()), 5000);
        c.setTcpNoDelay(true);
        c.setSoTimeout(5000);
        InputStream in = c.getInputStream();
        OutputStream out = c.getOutputStream();
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          out.write(1);
          out.flush();
          if (in.read() < 0) {
            throw new IOException("echo closed");
          }
          t[i] = System.nanoTime() - t0;
        }
      }
      return median(t);
    }
  }

  private static double median(long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    return s[s.length / 2] / 1e6;
  }
}
