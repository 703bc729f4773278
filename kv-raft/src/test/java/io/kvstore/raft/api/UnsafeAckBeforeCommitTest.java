package io.kvstore.raft.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.core.codec.CommandCodec;
import io.kvstore.core.codec.ResultCodec;
import io.kvstore.core.command.Command;
import io.kvstore.core.command.Proposal;
import io.kvstore.core.command.RequestId;
import io.kvstore.core.command.Result;
import io.kvstore.raft.server.ConfigException;
import io.kvstore.raft.server.NodeConfig;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The test-only seeded bug: which writes it acknowledges early, and its config key. */
class UnsafeAckBeforeCommitTest {
  private static byte[] entry(Command c) {
    return CommandCodec.encode(new Proposal(new RequestId(1, 2, 1, 1), c));
  }

  @Test
  void anUnconditionalPutThatDoesNotCommitIsAcknowledgedAnyway() throws Exception {
    CompletableFuture<RaftGateway.Reply> never = new CompletableFuture<>();
    CompletableFuture<RaftGateway.Reply> acked =
        UnsafeAckBeforeCommit.ackEarly(entry(new Command.Put(b("k"), b("v"))), never);
    RaftGateway.Reply r = acked.get(30, TimeUnit.SECONDS);
    assertTrue(ResultCodec.decode(r.message()) instanceof Result.Written);
    assertFalse(never.isDone()); // the real write is still pending: nothing committed
  }

  @Test
  void conditionalWritesDeletesAndTransactionsKeepTheirRealAnswer() {
    CompletableFuture<RaftGateway.Reply> never = new CompletableFuture<>();
    assertSame(
        never, UnsafeAckBeforeCommit.ackEarly(entry(new Command.Put(b("k"), b("v"), 7)), never));
    assertSame(never, UnsafeAckBeforeCommit.ackEarly(entry(new Command.Delete(b("k"))), never));
  }

  @Test
  void theConfigKeyIsOffByDefaultAndStrict() {
    assertFalse(NodeConfig.fromProperties(base()).unsafeAckBeforeCommit());
    Properties on = base();
    on.setProperty("unsafe.ack-before-commit", "true");
    assertTrue(NodeConfig.fromProperties(on).unsafeAckBeforeCommit());
    Properties bad = base();
    bad.setProperty("unsafe.ack-before-commit", "yes");
    ConfigException e = assertThrows(ConfigException.class, () -> NodeConfig.fromProperties(bad));
    assertEquals(
        "config key 'unsafe.ack-before-commit': 'yes' is not true or false", e.getMessage());
  }

  private static Properties base() {
    Properties p = new Properties();
    p.setProperty("node.id", "n1");
    p.setProperty("node.data-dir", "data/n1");
    p.setProperty("cluster.members", "n1:127.0.0.1:9860:9870");
    p.setProperty("cluster.replication-factor", "1");
    return p;
  }

  private static byte[] b(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
