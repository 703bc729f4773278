package io.kvstore.core.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Vendors stay in one package: only {@code storage.mapdb} imports MapDB, and the core never sees
 * Ratis or gRPC (the module dependencies keep them off its classpath; this keeps MapDB in place).
 */
class ImportRulesTest {
  private static final Path SOURCES = Path.of("src/main/java/io/kvstore/core");

  @Test
  void onlyStorageMapdbImportsMapdb() throws IOException {
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        boolean inMapdb = SOURCES.relativize(f).startsWith(Path.of("storage", "mapdb"));
        boolean importsMapdb =
            Files.readAllLines(f).stream().anyMatch(l -> l.startsWith("import org.mapdb."));
        if (importsMapdb && !inMapdb) {
          offenders.add(f.toString());
        }
      }
    }
    assertEquals(List.of(), offenders);
  }

  @Test
  void everyPackageHasPackageInfo() throws IOException {
    List<String> missing = new ArrayList<>();
    try (Stream<Path> dirs = Files.walk(SOURCES)) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        try (Stream<Path> children = Files.list(d)) {
          boolean hasJava = children.anyMatch(p -> p.toString().endsWith(".java"));
          if (hasJava && !Files.exists(d.resolve("package-info.java"))) {
            missing.add(d.toString());
          }
        }
      }
    }
    assertTrue(missing.isEmpty(), "packages without package-info.java: " + missing);
  }
}
