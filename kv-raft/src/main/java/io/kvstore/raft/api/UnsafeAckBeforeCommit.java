package io.kvstore.raft.api;

import io.kvstore.core.codec.CommandCodec;
import io.kvstore.core.codec.ResultCodec;
import io.kvstore.core.command.Command;
import io.kvstore.core.command.Result;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * TEST ONLY: a seeded durability bug for the drill harness, switched on per node by the config key
 * {@code unsafe.ack-before-commit=true} (or {@code -Dkv.unsafe.ack-before-commit=true}); the node
 * logs UNSAFE at startup. With it, an unconditional put that has not committed within {@link
 * #ACK_AFTER_MS} is answered "written" although its entry may sit only in the leader's log: if that
 * leader then dies before a quorum has the entry, the acknowledged write is lost. The lost-write
 * control of {@code kv drill run} must report exactly that, which shows the harness would notice a
 * real bug of this kind. Conditional writes, deletes and transactions keep their real answer (their
 * result depends on state the leader cannot know before applying).
 */
final class UnsafeAckBeforeCommit {
  /** How long a put may wait for its real, committed answer before it is acknowledged anyway. */
  static final long ACK_AFTER_MS = 100;

  private UnsafeAckBeforeCommit() {}

  static CompletableFuture<RaftGateway.Reply> ackEarly(
      byte[] entry, CompletableFuture<RaftGateway.Reply> applied) {
    Command c = CommandCodec.decode(entry).command();
    if (!(c instanceof Command.Put put) || put.conditional()) {
      return applied;
    }
    // Version 0: the fake answer cannot know the log index the entry will get, if any.
    RaftGateway.Reply fake = new RaftGateway.Reply(ResultCodec.encode(new Result.Written(0)), 0);
    return applied.copy().completeOnTimeout(fake, ACK_AFTER_MS, TimeUnit.MILLISECONDS);
  }
}
