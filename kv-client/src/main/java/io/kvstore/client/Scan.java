package io.kvstore.client;

import com.google.protobuf.ByteString;
import io.kvstore.client.proto.KeyValueEntry;
import io.kvstore.client.proto.ScanRequest;
import io.kvstore.client.proto.ScanResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A range or prefix scan: every partition is asked for its first {@code limit} keys in the range,
 * in parallel, and the answers are merged in key order. Each partition's answer is a consistent
 * view of that partition, but a scan over several partitions is not one snapshot: writes to
 * different partitions may be seen in one partition and not in another.
 */
public final class Scan {
  private final KvClient client;
  private final byte[] start;
  private final byte[] end;
  private final int limit;
  private final ReadOptions options;

  Scan(KvClient client, byte[] start, byte[] end, int limit, ReadOptions options) {
    if (limit < 1 || limit > 10_000) {
      throw new KvInvalidArgumentException("scan limit must be 1..10000");
    }
    this.client = client;
    this.start = start;
    this.end = end;
    this.limit = limit;
    this.options = options;
  }

  /**
   * One page: entries in key order, and {@code nextAfter} — the last key returned when more keys
   * follow (pass it back to continue), else null.
   */
  public record Page(List<KeyValue> entries, byte[] nextAfter) {}

  CompletableFuture<Page> runAsync() {
    return client
        .runner()
        .router()
        .thenCompose(
            router -> {
              List<CompletableFuture<ScanResponse>> parts = new ArrayList<>();
              for (int p = 0; p < router.partitionCount(); p++) {
                ScanRequest.Builder req =
                    ScanRequest.newBuilder()
                        .setPartition(p)
                        .setLimit(limit)
                        .setConsistency(options.consistency())
                        .setMaxStalenessMs(options.maxStalenessMs())
                        .setMaxLagEntries(options.maxLagEntries());
                if (start != null) {
                  req.setStart(ByteString.copyFrom(start));
                }
                if (end != null) {
                  req.setEnd(ByteString.copyFrom(end));
                }
                parts.add(client.scanPartition(req.build()));
              }
              return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                  .thenApply(v -> merge(parts.stream().map(CompletableFuture::join).toList()));
            });
  }

  private Page merge(List<ScanResponse> parts) {
    List<KeyValue> all = new ArrayList<>();
    boolean more = false;
    for (ScanResponse r : parts) {
      more |= r.getMore();
      for (KeyValueEntry e : r.getEntriesList()) {
        all.add(
            new KeyValue(
                e.getKey().toByteArray(),
                e.getValue().toByteArray(),
                e.getVersion(),
                e.getCreateVersion()));
      }
    }
    all.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
    if (all.size() > limit) {
      more = true;
      all = new ArrayList<>(all.subList(0, limit));
    }
    byte[] next = more && !all.isEmpty() ? all.get(all.size() - 1).key() : null;
    return new Page(List.copyOf(all), next);
  }

  /** The smallest key greater than {@code key}. */
  static byte[] successor(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }

  /** The smallest key greater than every key with this prefix, or null if there is none. */
  static byte[] prefixEnd(byte[] prefix) {
    byte[] end = prefix.clone();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    return null;
  }
}
