package io.kvstore.client;

import io.kvstore.client.proto.TxnOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Many puts and deletes in one call, the bulk-load path. Operations are grouped by partition; each
 * partition's operations are sent as transactions of up to {@value #CHUNK} operations, each of
 * which commits atomically as one log entry, in the order given. Partitions proceed in parallel and
 * independently: the result says, per partition, what committed and what failed.
 */
public final class Batch {
  static final int CHUNK = 128;

  /** Keeps each transaction well under the server's default 4 MiB request limit. */
  static final long CHUNK_BYTES = 3L << 20;

  private final KvClient client;
  private final List<TxnOp> ops;

  Batch(KvClient client, List<TxnOp> ops) {
    for (TxnOp op : ops) {
      if (op.getOpCase() != TxnOp.OpCase.PUT && op.getOpCase() != TxnOp.OpCase.DELETE) {
        throw new KvInvalidArgumentException("a batch holds puts and deletes only");
      }
    }
    this.client = client;
    this.ops = List.copyOf(ops);
  }

  /** What one partition committed: operations applied, the last version, or the error. */
  public record PartitionOutcome(
      int partition, int committedOps, int failedOps, long version, String error) {}

  /** Per-partition outcomes, in partition order. */
  public record Result(List<PartitionOutcome> partitions) {
    public boolean allCommitted() {
      return partitions.stream().allMatch(p -> p.failedOps() == 0);
    }

    public int committedOps() {
      return partitions.stream().mapToInt(PartitionOutcome::committedOps).sum();
    }
  }

  CompletableFuture<Result> runAsync() {
    return client
        .runner()
        .router()
        .thenCompose(
            router -> {
              Map<Integer, List<TxnOp>> byPartition = new TreeMap<>();
              for (TxnOp op : ops) {
                int p = router.partitionOf(Txns.keyOf(op).toByteArray());
                byPartition.computeIfAbsent(p, x -> new ArrayList<>()).add(op);
              }
              List<CompletableFuture<PartitionOutcome>> outcomes = new ArrayList<>();
              for (Map.Entry<Integer, List<TxnOp>> e : byPartition.entrySet()) {
                outcomes.add(runPartition(e.getKey(), e.getValue(), 0, 0));
              }
              return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
                  .thenApply(
                      v -> new Result(outcomes.stream().map(CompletableFuture::join).toList()));
            });
  }

  /** Sends the chunks of one partition one after another, so they apply in the given order. */
  private CompletableFuture<PartitionOutcome> runPartition(
      int partition, List<TxnOp> all, int from, long version) {
    if (from >= all.size()) {
      return CompletableFuture.completedFuture(
          new PartitionOutcome(partition, all.size(), 0, version, null));
    }
    int to = from;
    long bytes = 0;
    while (to < all.size() && to - from < CHUNK) {
      bytes += all.get(to).getSerializedSize();
      if (to > from && bytes > CHUNK_BYTES) {
        break;
      }
      to++;
    }
    List<TxnOp> chunk = all.subList(from, to);
    return client
        .txnInPartition(partition, chunk)
        .handle(
            (r, e) -> {
              if (e != null) {
                Throwable cause = RequestRunner.unwrap(e);
                return CompletableFuture.completedFuture(
                    new PartitionOutcome(
                        partition, from, all.size() - from, version, cause.getMessage()));
              }
              return runPartition(partition, all, from + chunk.size(), r.getVersion());
            })
        .thenCompose(f -> f);
  }
}
