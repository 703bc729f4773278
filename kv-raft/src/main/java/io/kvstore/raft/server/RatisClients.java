package io.kvstore.raft.server;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.util.TimeDuration;

/**
 * Ratis clients for administrative calls from any process. Ratis's defaults retry forever; these
 * retry a bounded number of times, so a dead peer turns into an error the caller can act on.
 */
final class RatisClients {
  private RatisClients() {}

  /** A client that retries each request up to {@code attempts} times, 300 ms apart. */
  static RaftClient retrying(RaftGroup group, Duration requestTimeout, int attempts) {
    return build(
        group,
        requestTimeout,
        RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            attempts, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS)));
  }

  /** A client that tries each request once: for probing peers that may be down. */
  static RaftClient once(RaftGroup group, Duration requestTimeout) {
    return build(group, requestTimeout, RetryPolicies.noRetry());
  }

  /**
   * A client that sends each request once, to {@code leader} first: for reconfigurations and
   * leadership transfers, whose outcome the caller checks by reading the configuration again rather
   * than by resending.
   */
  static RaftClient onceTo(RaftGroup group, RaftPeerId leader, Duration requestTimeout) {
    return builder(group, requestTimeout, RetryPolicies.noRetry()).setLeaderId(leader).build();
  }

  private static RaftClient build(RaftGroup group, Duration timeout, RetryPolicy retry) {
    return builder(group, timeout, retry).build();
  }

  private static RaftClient.Builder builder(RaftGroup group, Duration timeout, RetryPolicy retry) {
    RaftProperties props = new RaftProperties();
    RaftConfigKeys.Rpc.setType(props, SupportedRpcType.GRPC);
    RaftClientConfigKeys.Rpc.setRequestTimeout(
        props, TimeDuration.valueOf(timeout.toMillis(), TimeUnit.MILLISECONDS));
    return RaftClient.newBuilder()
        .setProperties(props)
        .setRaftGroup(group)
        .setClientId(ClientId.randomId())
        .setRetryPolicy(retry);
  }
}
