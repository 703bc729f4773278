package io.kvstore.core.storage.mapdb;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Generations of a partition's store files: {@code gen-<n>/} directories, of which the highest one
 * holding a {@code READY} marker is current. A replacement (snapshot restore) is built in a new
 * generation and becomes current only when its marker is written, so a crash at any moment leaves
 * either the old or the new state, never a mix.
 */
final class StoreDirectory {
  private static final String READY = "READY";
  private final Path root;
  private long current;

  private StoreDirectory(Path root) {
    this.root = root;
  }

  static StoreDirectory open(Path root) throws IOException {
    Files.createDirectories(root);
    StoreDirectory d = new StoreDirectory(root);
    List<Long> gens = d.generations();
    long ready = -1;
    for (long g : gens) {
      if (Files.exists(d.gen(g).resolve(READY))) {
        ready = Math.max(ready, g);
      }
    }
    for (long g : gens) {
      if (g != ready) {
        deleteTree(d.gen(g));
      }
    }
    if (ready < 0) {
      ready = 1;
      Files.createDirectories(d.gen(ready));
      d.markReady(ready);
    }
    d.current = ready;
    return d;
  }

  Path current() {
    return gen(current);
  }

  /** Creates the next generation's directory, not yet ready. */
  Path createNext() throws IOException {
    Path next = gen(current + 1);
    deleteTree(next);
    Files.createDirectories(next);
    return next;
  }

  /** Makes a generation from {@link #createNext()} current and deletes the old one. */
  void promote(Path next) throws IOException {
    long g = current + 1;
    if (!next.equals(gen(g))) {
      throw new IllegalArgumentException("not the next generation: " + next);
    }
    markReady(g);
    Path old = gen(current);
    current = g;
    deleteTree(old);
  }

  void discard(Path next) throws IOException {
    deleteTree(next);
  }

  /** Moves the current generation aside (kept for inspection) and starts an empty next one. */
  Path quarantineCurrentAndCreateNext() throws IOException {
    Path bad = gen(current);
    Path aside = root.resolve("corrupt-" + current + "-" + System.currentTimeMillis());
    Files.move(bad, aside);
    Path next = gen(current + 1);
    Files.createDirectories(next);
    markReady(current + 1);
    current = current + 1;
    return next;
  }

  private void markReady(long g) throws IOException {
    Path marker = gen(g).resolve(READY);
    try (FileChannel ch =
        FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    fsyncDirectory(gen(g));
    fsyncDirectory(root);
  }

  private Path gen(long g) {
    return root.resolve(String.format("gen-%06d", g));
  }

  private List<Long> generations() throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.matches("gen-\\d+"))
          .map(n -> Long.parseLong(n.substring(4)))
          .sorted()
          .toList();
    }
  }

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
