package io.kvstore.raft.testing;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvstore.client.proto.Consistency;
import io.kvstore.client.proto.GetRequest;
import io.kvstore.client.proto.GetResponse;
import io.kvstore.client.proto.KvGrpc;
import java.util.concurrent.TimeUnit;

/**
 * Talks to one node with no routing, retries or redirects, to test what that node itself answers
 * (the application client would route to the leader).
 */
public final class DirectKv implements AutoCloseable {
  private final ManagedChannel channel;

  public DirectKv(String endpoint) {
    this.channel = NettyChannelBuilder.forTarget(endpoint).usePlaintext().build();
  }

  /** A linearizable read (a follower answers with a redirect). */
  public GetResponse get(byte[] key) {
    return get(key, Consistency.LINEARIZABLE);
  }

  /** A read at {@code level}; ANY reads this node's replica as it stands. */
  public GetResponse get(byte[] key, Consistency level) {
    return KvGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .get(
            GetRequest.newBuilder().setKey(ByteString.copyFrom(key)).setConsistency(level).build());
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
