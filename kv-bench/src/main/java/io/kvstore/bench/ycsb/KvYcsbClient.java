package io.kvstore.bench.ycsb;

import io.kvstore.client.KeyValue;
import io.kvstore.client.KvClient;
import io.kvstore.client.KvTimeoutException;
import io.kvstore.client.KvUnavailableException;
import io.kvstore.client.PutResult;
import io.kvstore.client.ReadOptions;
import io.kvstore.client.Scan;
import io.kvstore.client.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * YCSB binding: {@code -db io.kvstore.bench.ycsb.KvYcsbClient}. A record is one key, {@code
 * <table>/<key>}, whose value holds all its fields ({@link FieldCodec}).
 *
 * <ul>
 *   <li>insert: a put of the whole record;
 *   <li>update: a put of the whole record when it carries all {@code fieldcount} fields, else a
 *       read-modify-write of the record guarded by its version (compare-and-set, retried up to
 *       {@value #MAX_CAS_ATTEMPTS} times);
 *   <li>read: a get at {@code kv.read-consistency}; NOT_FOUND when absent;
 *   <li>scan: the store's range scan of {@code <table>/<startkey>} onwards within the table (keys
 *       in order, merged over partitions; not one snapshot across partitions);
 *   <li>delete: a delete.
 * </ul>
 *
 * <p>Properties: {@code kv.endpoints} (default the local cluster), {@code kv.read-consistency}
 * ({@code linearizable} default, {@code lease}, {@code any}, {@code bounded=<ms>}), {@code
 * kv.timeout-ms} (default 10000). All YCSB threads of one JVM share one client per endpoint list.
 */
public final class KvYcsbClient extends DB {
  static final int MAX_CAS_ATTEMPTS = 16;
  private static final Map<String, Shared> CLIENTS = new HashMap<>();

  private record Shared(KvClient client, int[] refs) {}

  private String endpoints;
  private KvClient client;
  private ReadOptions readOptions;
  private int fieldCount;

  @Override
  public void init() throws DBException {
    Properties p = getProperties();
    endpoints = p.getProperty("kv.endpoints", "127.0.0.1:9870,127.0.0.2:9870,127.0.0.3:9870");
    long timeoutMs;
    try {
      readOptions = readOptions(p.getProperty("kv.read-consistency", "linearizable"));
      timeoutMs = Long.parseLong(p.getProperty("kv.timeout-ms", "10000"));
      fieldCount = Integer.parseInt(p.getProperty("fieldcount", "10"));
    } catch (IllegalArgumentException e) {
      throw new DBException(e.getMessage());
    }
    synchronized (CLIENTS) {
      Shared s = CLIENTS.get(endpoints);
      if (s == null) {
        try {
          s =
              new Shared(
                  KvClient.builder()
                      .endpoints(endpoints)
                      .timeout(Duration.ofMillis(timeoutMs))
                      .build(),
                  new int[1]);
        } catch (RuntimeException e) {
          throw new DBException("kv.endpoints: " + e.getMessage());
        }
        CLIENTS.put(endpoints, s);
      }
      s.refs[0]++;
      client = s.client;
    }
  }

  @Override
  public void cleanup() {
    synchronized (CLIENTS) {
      Shared s = CLIENTS.get(endpoints);
      if (s != null && --s.refs[0] == 0) {
        CLIENTS.remove(endpoints);
        s.client.close();
      }
    }
  }

  /** {@code linearizable}, {@code lease}, {@code any} or {@code bounded=<milliseconds>}. */
  static ReadOptions readOptions(String level) {
    if (level.startsWith("bounded=")) {
      return ReadOptions.bounded(Duration.ofMillis(Long.parseLong(level.substring(8))));
    }
    return switch (level) {
      case "linearizable" -> ReadOptions.LINEARIZABLE;
      case "lease" -> ReadOptions.LEASE;
      case "any" -> ReadOptions.ANY;
      default ->
          throw new IllegalArgumentException(
              "kv.read-consistency must be linearizable, lease, any or bounded=<ms>, not " + level);
    };
  }

  static byte[] key(String table, String key) {
    return (table + "/" + key).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Status read(
      String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
    try {
      Optional<KeyValue> kv = client.get(key(table, key), readOptions);
      if (kv.isEmpty()) {
        return Status.NOT_FOUND;
      }
      copy(FieldCodec.decode(kv.get().value()), fields, result);
      return Status.OK;
    } catch (RuntimeException e) {
      return status(e);
    }
  }

  @Override
  public Status scan(
      String table,
      String startkey,
      int recordcount,
      Set<String> fields,
      Vector<HashMap<String, ByteIterator>> result) {
    try {
      byte[] end = (table + "0").getBytes(StandardCharsets.UTF_8); // '0' follows '/'
      Scan.Page page = client.scan(key(table, startkey), end, recordcount, readOptions);
      for (KeyValue kv : page.entries()) {
        HashMap<String, ByteIterator> row = new HashMap<>();
        copy(FieldCodec.decode(kv.value()), fields, row);
        result.add(row);
      }
      return Status.OK;
    } catch (RuntimeException e) {
      return status(e);
    }
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    try {
      byte[] k = key(table, key);
      if (values.size() >= fieldCount) {
        client.put(k, FieldCodec.encode(bytes(values)));
        return Status.OK;
      }
      Map<String, byte[]> changes = bytes(values);
      for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        Optional<KeyValue> current = client.get(k, ReadOptions.LINEARIZABLE);
        Map<String, byte[]> merged =
            current.isPresent() ? FieldCodec.decode(current.get().value()) : new LinkedHashMap<>();
        merged.putAll(changes);
        WriteOptions cas =
            current.isPresent()
                ? WriteOptions.onlyIfVersion(current.get().version())
                : WriteOptions.onlyIfAbsent();
        PutResult r = client.put(k, FieldCodec.encode(merged), cas);
        if (r.applied()) {
          return Status.OK;
        }
      }
      return Status.UNEXPECTED_STATE;
    } catch (RuntimeException e) {
      return status(e);
    }
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    try {
      client.put(key(table, key), FieldCodec.encode(bytes(values)));
      return Status.OK;
    } catch (RuntimeException e) {
      return status(e);
    }
  }

  @Override
  public Status delete(String table, String key) {
    try {
      client.delete(key(table, key));
      return Status.OK;
    } catch (RuntimeException e) {
      return status(e);
    }
  }

  private static Map<String, byte[]> bytes(Map<String, ByteIterator> values) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    values.forEach((name, v) -> out.put(name, v.toArray()));
    return out;
  }

  private static void copy(
      Map<String, byte[]> stored, Set<String> fields, Map<String, ByteIterator> result) {
    stored.forEach(
        (name, v) -> {
          if (fields == null || fields.contains(name)) {
            result.put(name, new ByteArrayByteIterator(v));
          }
        });
  }

  private static Status status(RuntimeException e) {
    Throwable c = e;
    while (c.getCause() != null && !(c instanceof KvUnavailableException)) {
      c = c.getCause();
    }
    if (c instanceof KvUnavailableException || c instanceof KvTimeoutException) {
      return Status.SERVICE_UNAVAILABLE;
    }
    if (e instanceof IllegalArgumentException) {
      return Status.BAD_REQUEST;
    }
    return Status.ERROR;
  }
}
