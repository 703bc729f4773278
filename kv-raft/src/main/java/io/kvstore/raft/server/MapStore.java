package io.kvstore.raft.server;

import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.ClusterMapCodec;
import io.kvstore.core.cluster.NodeEntry;
import io.kvstore.core.codec.CodecException;
import io.kvstore.core.codec.CommandCodec;
import io.kvstore.core.codec.QueryCodec;
import io.kvstore.core.codec.ResultCodec;
import io.kvstore.core.command.Command;
import io.kvstore.core.command.Proposal;
import io.kvstore.core.command.RequestId;
import io.kvstore.core.command.Result;
import io.kvstore.core.command.VersionedValue;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The authoritative cluster map: the value of key {@code cluster/map} in the meta group, read and
 * changed over Ratis from any process that can reach the meta voters (a node, the mover, a CLI).
 *
 * <p>Reads are linearizable (ReadIndex on the meta group's leader). A change is a compare-and-set
 * on the key's version (the log index of the write that stored the current map) and must raise the
 * epoch by exactly one, so concurrent changes are serialized and none is lost: the loser re-reads
 * and rebuilds its change on the newer map ({@link #update}).
 */
public final class MapStore implements AutoCloseable {
  static final byte[] MAP_KEY = MapPublisher.MAP_KEY;

  /** A map as stored, with the version a compare-and-set must name. */
  public record Stored(ClusterMap map, long version) {}

  private final RaftClient client;

  private MapStore(RaftClient client) {
    this.client = client;
  }

  /**
   * Connects to the meta group whose voters {@code map} names (any epoch of the map will do); each
   * call is tried up to 10 times (5 s each) while the meta group elects a leader.
   */
  public static MapStore connect(ClusterMap map) {
    return connect(map, Duration.ofSeconds(5), 10);
  }

  /** As {@link #connect(ClusterMap)}, with the given per-attempt timeout and attempts. */
  static MapStore connect(ClusterMap map, Duration timeout, int attempts) {
    List<RaftPeer> peers = new ArrayList<>();
    for (String id : map.metaVoters()) {
      NodeEntry n = map.node(id).orElseThrow();
      peers.add(RaftPeer.newBuilder().setId(n.id()).setAddress(n.raftEndpoint()).build());
    }
    return new MapStore(
        RatisClients.retrying(
            RaftGroup.valueOf(PartitionGroups.META_GROUP, peers), timeout, attempts));
  }

  /** The current map (linearizable), or null if none was ever stored. */
  public Stored read() throws IOException {
    RaftClientReply reply = client.io().sendReadOnly(message(QueryCodec.encodeGet(MAP_KEY)));
    if (!reply.isSuccess()) {
      throw new IOException("reading the cluster map failed: " + reply.getException());
    }
    VersionedValue v;
    try {
      v = QueryCodec.decodeGetReply(reply.getMessage().getContent().toByteArray());
      return v == null ? null : new Stored(ClusterMapCodec.decode(v.value()), v.version());
    } catch (CodecException e) {
      throw new IOException("the meta group holds an unreadable cluster map: " + e.getMessage());
    }
  }

  /**
   * Stores {@code next} if the stored map is still {@code expected} (same version); returns the new
   * stored map, or null if the map changed meanwhile (read again and rebuild the change).
   *
   * @throws IllegalArgumentException if {@code next} does not raise the epoch by exactly one or
   *     changes the partition count
   */
  public Stored compareAndSet(Stored expected, ClusterMap next) throws IOException {
    if (next.epoch() != expected.map().epoch() + 1) {
      throw new IllegalArgumentException(
          "a map change must raise the epoch by one: "
              + expected.map().epoch()
              + " -> "
              + next.epoch());
    }
    if (next.partitionCount() != expected.map().partitionCount()) {
      throw new IllegalArgumentException("the partition count of a cluster never changes");
    }
    byte[] entry =
        CommandCodec.encode(
            new Proposal(
                RequestId.NONE,
                new Command.Put(MAP_KEY, ClusterMapCodec.encode(next), expected.version())));
    RaftClientReply reply = client.io().send(message(entry));
    if (!reply.isSuccess()) {
      throw new IOException("storing the cluster map failed: " + reply.getException());
    }
    Result r = ResultCodec.decode(reply.getMessage().getContent().toByteArray());
    if (r instanceof Result.Written w) {
      return new Stored(next, w.version());
    }
    if (r instanceof Result.ConditionFailed) {
      return null;
    }
    throw new IOException("storing the cluster map failed: " + r);
  }

  /**
   * Applies {@code change} to the current map and stores the result (epoch + 1), re-reading and
   * re-applying on a concurrent change. {@code change} returns its argument (the same instance)
   * when nothing needs to change; then nothing is written. Returns the map as stored afterwards.
   *
   * @throws IOException if no map is stored or the change keeps losing races
   */
  public Stored update(UnaryOperator<ClusterMap> change) throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      Stored cur = read();
      if (cur == null) {
        throw new IOException("the meta group holds no cluster map yet");
      }
      ClusterMap next = change.apply(cur.map());
      if (next == cur.map()) {
        return cur;
      }
      Stored done = compareAndSet(cur, next);
      if (done != null) {
        return done;
      }
    }
    throw new IOException("the cluster map kept changing; gave up after 20 attempts");
  }

  private static Message message(byte[] bytes) {
    return Message.valueOf(ByteString.copyFrom(bytes));
  }

  @Override
  public void close() throws IOException {
    client.close();
  }
}
