package io.kvstore.raft.admin;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The manifest of a backup directory ({@code manifest.properties}): the cluster's partition count
 * and key hash, the cluster map file, and for every partition its snapshot file, position (term,
 * index), key and entry counts, size and SHA-256. A plain properties file, readable by people.
 *
 * <p>Backup directory layout: {@code manifest.properties}, {@code cluster-map.bin} (the map in its
 * binary format), {@code partition-NNNN.kvsnap} (each in the KVSNAP snapshot format, which carries
 * its own position and CRC32C).
 */
public record BackupManifest(
    int format,
    String created,
    int partitionCount,
    String keyHash,
    long mapEpoch,
    String clusterMapFile,
    List<Partition> partitions) {

  public static final String FILE = "manifest.properties";
  public static final String CLUSTER_MAP_FILE = "cluster-map.bin";
  public static final int FORMAT = 1;

  /** One partition's snapshot in the backup. */
  public record Partition(
      int id,
      String file,
      long term,
      long index,
      long dataKeys,
      long entries,
      long bytes,
      String sha256,
      String replica) {}

  /** The file name of partition {@code p}'s snapshot. */
  public static String partitionFile(int p) {
    return String.format("partition-%04d.kvsnap", p);
  }

  public String render() {
    Map<String, String> out = new TreeMap<>();
    out.put("format", Integer.toString(format));
    out.put("created", created);
    out.put("partitions", Integer.toString(partitionCount));
    out.put("key-hash", keyHash);
    out.put("map-epoch", Long.toString(mapEpoch));
    out.put("cluster-map", clusterMapFile);
    for (Partition p : partitions) {
      String k = String.format("partition.%04d.", p.id());
      out.put(k + "file", p.file());
      out.put(k + "term", Long.toString(p.term()));
      out.put(k + "index", Long.toString(p.index()));
      out.put(k + "data-keys", Long.toString(p.dataKeys()));
      out.put(k + "entries", Long.toString(p.entries()));
      out.put(k + "bytes", Long.toString(p.bytes()));
      out.put(k + "sha256", p.sha256());
      out.put(k + "replica", p.replica());
    }
    StringWriter w = new StringWriter();
    w.write("# kvstore backup manifest: every partition cut at its own linearizable point\n");
    out.forEach((k, v) -> w.write(k + "=" + v + "\n"));
    return w.toString();
  }

  public void writeTo(Writer w) throws IOException {
    w.write(render());
  }

  /** Reads and checks a manifest; a missing or malformed one is an {@link IOException}. */
  public static BackupManifest read(Path dir) throws IOException {
    Path f = dir.resolve(FILE);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      throw new IOException(dir + " is not a backup: it has no " + FILE);
    }
    int format = intOf(p, "format", f);
    if (format != FORMAT) {
      throw new IOException("backup format " + format + " in " + f + " is not supported");
    }
    int count = intOf(p, "partitions", f);
    List<Partition> parts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String k = String.format("partition.%04d.", i);
      parts.add(
          new Partition(
              i,
              required(p, k + "file", f),
              longOf(p, k + "term", f),
              longOf(p, k + "index", f),
              longOf(p, k + "data-keys", f),
              longOf(p, k + "entries", f),
              longOf(p, k + "bytes", f),
              required(p, k + "sha256", f),
              p.getProperty(k + "replica", "")));
    }
    return new BackupManifest(
        format,
        p.getProperty("created", ""),
        count,
        required(p, "key-hash", f),
        longOf(p, "map-epoch", f),
        required(p, "cluster-map", f),
        parts);
  }

  private static String required(Properties p, String key, Path f) throws IOException {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IOException("backup manifest " + f + " lacks " + key);
    }
    return v.trim();
  }

  private static long longOf(Properties p, String key, Path f) throws IOException {
    try {
      return Long.parseLong(required(p, key, f));
    } catch (NumberFormatException e) {
      throw new IOException("backup manifest " + f + ": " + key + " is not a number");
    }
  }

  private static int intOf(Properties p, String key, Path f) throws IOException {
    long v = longOf(p, key, f);
    if (v < 0 || v > Integer.MAX_VALUE) {
      throw new IOException("backup manifest " + f + ": " + key + " is out of range");
    }
    return (int) v;
  }
}
