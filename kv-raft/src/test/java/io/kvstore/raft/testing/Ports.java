package io.kvstore.raft.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;

/** Picks loopback addresses and free ports for test clusters. */
public final class Ports {
  private static final AtomicInteger NEXT_HOST =
      new AtomicInteger(20 + (int) (ProcessHandle.current().pid() % 100));

  private Ports() {}

  /** A loopback address not used by another cluster of this JVM, e.g. 127.0.0.57. */
  public static String nextHost() {
    int h = NEXT_HOST.getAndIncrement();
    return "127.0." + (1 + h / 250) % 250 + "." + (2 + h % 250);
  }

  public static int freePort(String host) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(host, 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on " + host, e);
    }
  }
}
