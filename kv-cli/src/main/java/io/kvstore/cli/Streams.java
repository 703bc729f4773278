package io.kvstore.cli;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * The process's byte streams and whether they are terminals. Picocli's writers carry text; a value
 * read with {@code get} or written with {@code put} is bytes, so commands use these instead, and
 * tests substitute in-memory streams.
 *
 * <p>Java cannot tell reliably whether stdin alone is a terminal ({@code System.console()} needs
 * both stdin and stdout), so {@code bin/kv} passes {@code -Dkvcli.stdin.tty} and {@code
 * -Dkvcli.stdout.tty} from the shell's {@code [ -t 0 ]} / {@code [ -t 1 ]}. (Not {@code kv.*}:
 * NodeConfig reads every {@code -Dkv.<key>} as a config override.)
 */
record Streams(InputStream in, OutputStream out, boolean inIsTerminal, boolean outIsTerminal) {

  static Streams system() {
    boolean console = System.console() != null;
    return new Streams(
        System.in, System.out, flag("kvcli.stdin.tty", console), flag("kvcli.stdout.tty", console));
  }

  private static boolean flag(String property, boolean fallback) {
    String v = System.getProperty(property);
    return v == null ? fallback : Boolean.parseBoolean(v);
  }
}
