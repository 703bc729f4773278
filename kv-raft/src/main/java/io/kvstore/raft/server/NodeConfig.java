package io.kvstore.raft.server;

import io.kvstore.core.codec.Compression;
import io.kvstore.raft.api.WriteBatcher;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A node's configuration, loaded once from a properties file and validated as a whole. Every key,
 * its meaning and default is documented in {@code conf/node1.properties}. Keys starting with {@code
 * ratis.} are passed to Apache Ratis unchanged (without the prefix), for tuning not covered here.
 * System properties {@code -Dkv.<key>=value} override the file.
 */
public record NodeConfig(
    String nodeId,
    Path dataDir,
    List<Member> members,
    int partitions,
    int replicationFactor,
    int electionTimeoutMinMs,
    int electionTimeoutMaxMs,
    long snapshotAutoTriggerEntries,
    int logSegmentSizeMb,
    int storageCommitEveryEntries,
    boolean storageValuesSeparate,
    boolean storageMmap,
    Compression compression,
    long cacheBytes,
    boolean unsafeAckBeforeCommit,
    int maxKeyBytes,
    int maxValueBytes,
    int maxRequestBytes,
    int requestTimeoutMs,
    Map<String, String> ratisOverrides,
    WriteBatcher.Settings batch,
    long snapshotTriggerLogBytes,
    long logPurgeMarginEntries,
    long diskMinFreeBytes,
    long diskResumeFreeBytes,
    int diskCheckIntervalMs,
    long storageCommitEveryBytes,
    long snapshotRestartReplayBytes,
    boolean join,
    int mapPollMs) {

  static final Set<String> KEYS =
      Set.of(
          "node.id",
          "node.data-dir",
          "cluster.members",
          "cluster.partitions",
          "cluster.replication-factor",
          "raft.election-timeout-min-ms",
          "raft.election-timeout-max-ms",
          "raft.snapshot.auto-trigger-entries",
          "raft.log.segment-size-mb",
          "storage.commit-every-entries",
          "storage.commit-every-mb",
          "raft.snapshot.restart-replay-mb",
          "storage.value-layout",
          "storage.file-access",
          "storage.compression",
          "storage.compression-min-bytes",
          "storage.cache-mb",
          "unsafe.ack-before-commit",
          "limits.max-key-bytes",
          "limits.max-value-bytes",
          "limits.max-request-bytes",
          "server.request-timeout-ms",
          "server.batch.max-ops",
          "server.batch.max-bytes",
          "server.batch.max-delay-us",
          "server.batch.max-in-flight",
          "raft.snapshot.trigger-log-mb",
          "raft.log.purge-margin-entries",
          "storage.disk.min-free-mb",
          "storage.disk.resume-free-mb",
          "storage.disk.check-interval-ms",
          "cluster.join",
          "cluster.map-poll-ms");

  /** This node's own member entry. */
  public Member self() {
    return members.stream().filter(m -> m.id().equals(nodeId)).findFirst().orElseThrow();
  }

  public Member member(String id) {
    return members.stream().filter(m -> m.id().equals(id)).findFirst().orElse(null);
  }

  /**
   * Loads and validates {@code file}; relative data directories resolve against the working dir.
   */
  public static NodeConfig load(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file not found: " + file);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("kv.")) {
        p.setProperty(name.substring(3), System.getProperty(name));
      }
    }
    return fromProperties(p);
  }

  public static NodeConfig fromProperties(Properties p) {
    Map<String, String> ratis = new LinkedHashMap<>();
    for (String name : p.stringPropertyNames()) {
      if (name.startsWith("ratis.")) {
        ratis.put(name.substring("ratis.".length()), p.getProperty(name).trim());
      } else if (!KEYS.contains(name)) {
        throw new ConfigException("unknown config key '" + name + "'");
      }
    }
    String id = required(p, "node.id");
    Path dataDir = Path.of(required(p, "node.data-dir"));
    List<Member> members = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Set<String> addresses = new HashSet<>();
    for (String spec : required(p, "cluster.members").split(",")) {
      if (spec.isBlank()) {
        continue;
      }
      Member m = Member.parse(spec);
      if (!ids.add(m.id())) {
        throw new ConfigException("cluster.members: node id '" + m.id() + "' appears twice");
      }
      if (!addresses.add(m.raftAddress()) || !addresses.add(m.clientAddress())) {
        throw new ConfigException("cluster.members: address of '" + m.id() + "' is used twice");
      }
      members.add(m);
    }
    if (!ids.contains(id)) {
      throw new ConfigException("node.id '" + id + "' is not listed in cluster.members");
    }
    int minMs = intValue(p, "raft.election-timeout-min-ms", 1000, 50, 60_000);
    int maxMs = intValue(p, "raft.election-timeout-max-ms", 2000, 50, 120_000);
    if (maxMs <= minMs) {
      throw new ConfigException(
          "raft.election-timeout-max-ms ("
              + maxMs
              + ") must be greater than raft.election-timeout-min-ms ("
              + minMs
              + ")");
    }
    int partitions = intValue(p, "cluster.partitions", 16, 1, 4096);
    int replication = intValue(p, "cluster.replication-factor", 3, 1, 7);
    if (replication > members.size() && !flag(p, "cluster.join")) {
      throw new ConfigException(
          "cluster.replication-factor "
              + replication
              + " needs at least "
              + replication
              + " members; cluster.members lists "
              + members.size());
    }
    boolean join = flag(p, "cluster.join");
    if (join && members.size() < 2) {
      throw new ConfigException(
          "cluster.join=true: cluster.members must list, besides this node, at least one member"
              + " of the running cluster to join through");
    }
    long minFreeMb = longValue(p, "storage.disk.min-free-mb", 256, 0, 1L << 30);
    long resumeFreeMb =
        longValue(p, "storage.disk.resume-free-mb", Math.max(512, 2 * minFreeMb), 0, 1L << 30);
    if (resumeFreeMb < minFreeMb) {
      throw new ConfigException(
          "storage.disk.resume-free-mb ("
              + resumeFreeMb
              + ") must be at least storage.disk.min-free-mb ("
              + minFreeMb
              + ")");
    }
    return new NodeConfig(
        id,
        dataDir,
        List.copyOf(members),
        partitions,
        replication,
        minMs,
        maxMs,
        longValue(p, "raft.snapshot.auto-trigger-entries", 100_000, 100, Long.MAX_VALUE),
        intValue(p, "raft.log.segment-size-mb", 8, 1, 1024),
        intValue(p, "storage.commit-every-entries", 1000, 1, 1_000_000),
        choice(p, "storage.value-layout", "inline", "inline", "separate").equals("separate"),
        choice(p, "storage.file-access", "mmap", "mmap", "channel").equals("mmap"),
        compression(p),
        intValue(p, "storage.cache-mb", 64, 0, 1 << 20) * (1L << 20),
        unsafeFlag(p, "unsafe.ack-before-commit"),
        intValue(p, "limits.max-key-bytes", 1024, 1, 64 * 1024),
        intValue(p, "limits.max-value-bytes", 1 << 20, 0, 4 << 20),
        intValue(p, "limits.max-request-bytes", 4 << 20, 64 << 10, 64 << 20),
        intValue(p, "server.request-timeout-ms", 5000, 100, 600_000),
        Map.copyOf(ratis),
        batch(p),
        longValue(p, "raft.snapshot.trigger-log-mb", 64, 1, 1L << 20) << 20,
        longValue(p, "raft.log.purge-margin-entries", 5000, 0, Long.MAX_VALUE),
        minFreeMb << 20,
        resumeFreeMb << 20,
        intValue(p, "storage.disk.check-interval-ms", 1000, 50, 60_000),
        longValue(p, "storage.commit-every-mb", 16, 1, 1L << 20) << 20,
        longValue(p, "raft.snapshot.restart-replay-mb", 32, 1, 1L << 20) << 20,
        join,
        intValue(p, "cluster.map-poll-ms", 500, 50, 60_000));
  }

  private static WriteBatcher.Settings batch(Properties p) {
    WriteBatcher.Settings d = WriteBatcher.Settings.DEFAULT;
    int maxRequest = intValue(p, "limits.max-request-bytes", 4 << 20, 64 << 10, 64 << 20);
    return new WriteBatcher.Settings(
        intValue(p, "server.batch.max-ops", d.maxOps(), 1, 4096),
        intValue(p, "server.batch.max-bytes", d.maxBytes(), 1024, maxRequest),
        longValue(p, "server.batch.max-delay-us", d.maxDelayUs(), 0, 100_000),
        intValue(p, "server.batch.max-in-flight", d.maxInFlight(), 1, 64));
  }

  private static String choice(Properties p, String key, String dflt, String... allowed) {
    String v = p.getProperty(key, dflt).trim();
    if (!List.of(allowed).contains(v)) {
      throw new ConfigException(
          "config key '"
              + key
              + "': expected one of "
              + String.join(", ", allowed)
              + ", got '"
              + v
              + "'");
    }
    return v;
  }

  private static Compression compression(Properties p) {
    String name = p.getProperty("storage.compression", "lz4");
    Compression.Codec codec;
    try {
      codec = Compression.Codec.parse(name);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("config key 'storage.compression': " + e.getMessage());
    }
    int min = intValue(p, "storage.compression-min-bytes", 256, 0, 1 << 20);
    return new Compression(codec, min);
  }

  /** A switch: absent or "false" is off, "true" is on, anything else is an error. */
  private static boolean flag(Properties p, String key) {
    return unsafeFlag(p, key);
  }

  /** A test-only switch: absent or "false" is off, "true" is on, anything else is an error. */
  private static boolean unsafeFlag(Properties p, String key) {
    String s = p.getProperty(key, "false").trim();
    if (!s.equals("true") && !s.equals("false")) {
      throw new ConfigException("config key '" + key + "': '" + s + "' is not true or false");
    }
    return s.equals("true");
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new ConfigException("missing required config key '" + key + "'");
    }
    return v.trim();
  }

  private static int intValue(Properties p, String key, int def, int min, int max) {
    long v = longValue(p, key, def, min, max);
    return (int) v;
  }

  private static long longValue(Properties p, String key, long def, long min, long max) {
    String s = p.getProperty(key);
    if (s == null || s.isBlank()) {
      return def;
    }
    long v;
    try {
      v = Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException("config key '" + key + "': '" + s.trim() + "' is not a number");
    }
    if (v < min || v > max) {
      throw new ConfigException(
          "config key '" + key + "': " + v + " is outside " + min + ".." + max);
    }
    return v;
  }
}
