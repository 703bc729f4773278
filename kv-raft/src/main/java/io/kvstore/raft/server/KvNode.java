package io.kvstore.raft.server;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.GroupStatus;
import io.kvstore.core.storage.mapdb.MapDbPartitionStore;
import io.kvstore.raft.api.KvGrpcService;
import io.kvstore.raft.api.RaftGateway;
import io.kvstore.raft.api.RequestLimits;
import io.kvstore.raft.statemachine.KvStateMachine;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyExistsException;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * A running node: one Ratis server hosting a Raft group per partition, and the client API server.
 * This is the composition root: the only place where the parts are wired together.
 *
 * <p>Bootstrap: the first start of an empty data directory creates the partition groups with the
 * configured members; later starts recover every group from disk. A data directory that was
 * initialized but lost a group is refused rather than re-bootstrapped, since a replica that forgot
 * its log and votes could break Raft's safety.
 */
public final class KvNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KvNode.class);

  /** Partitions of this version: one group holds every key. */
  static final int PARTITIONS = 1;

  private final NodeConfig config;
  private final RaftServer raft;
  private final PartitionGroups groups;
  private final long startedNanos = System.nanoTime();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean closing = new AtomicBoolean();
  private Server grpc;

  private KvNode(NodeConfig config, RaftServer raft, PartitionGroups groups) {
    this.config = config;
    this.raft = raft;
    this.groups = groups;
  }

  /** Starts a node; throws {@link NodeStartException} with one clear line for operator errors. */
  public static KvNode start(NodeConfig config) throws IOException {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    Member self = config.self();
    Preflight.checkDataDir(config.dataDir());
    boolean initialized = Preflight.initializedBefore(config.dataDir(), config.nodeId());
    Preflight.checkPortFree("raft", self.host(), self.raftPort());
    Preflight.checkPortFree("client", self.host(), self.clientPort());

    PartitionGroups groups = new PartitionGroups(config.members(), PARTITIONS);
    MapDbPartitionStore.Options storeOptions =
        new MapDbPartitionStore.Options(config.storageCommitEveryEntries(), 16L << 20);
    RaftServer raft =
        RaftServer.newBuilder()
            .setServerId(RaftPeerId.valueOf(config.nodeId()))
            .setProperties(RaftSettings.build(config))
            .setStateMachineRegistry(
                gid -> {
                  int p = groups.partitionOf(gid);
                  if (p < 0) {
                    throw new IllegalStateException(
                        "group " + gid + " is not a partition of this cluster");
                  }
                  return new KvStateMachine(p, dir -> MapDbPartitionStore.open(dir, storeOptions));
                })
            .setOption(RaftStorage.StartupOption.RECOVER)
            .build();
    KvNode node = new KvNode(config, raft, groups);
    try {
      raft.start();
      node.ensureGroups(initialized);
      Preflight.markInitialized(config.dataDir(), config.nodeId());
      node.startClientServer();
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    LOG.info(
        "node {} started: raft {}, client {}, data {}",
        config.nodeId(),
        self.raftAddress(),
        self.clientAddress(),
        config.dataDir().toAbsolutePath());
    return node;
  }

  private void ensureGroups(boolean initializedBefore) throws IOException {
    ClientId admin = ClientId.randomId();
    AtomicLong callId = new AtomicLong();
    for (int p = 0; p < groups.count(); p++) {
      RaftGroup group = groups.group(p);
      if (hosts(group.getGroupId())) {
        continue;
      }
      if (initializedBefore) {
        throw new NodeStartException(
            "data directory "
                + config.dataDir()
                + " was initialized but has no Raft group for partition "
                + p
                + "; refusing to create it again (restore the directory or replace the node)");
      }
      try {
        RaftClientReply reply =
            raft.groupManagement(
                GroupManagementRequest.newAdd(
                    admin, raft.getId(), callId.incrementAndGet(), group));
        if (!reply.isSuccess()) {
          throw new IOException(
              "cannot create group of partition " + p + ": " + reply.getException());
        }
      } catch (AlreadyExistsException e) {
        continue; // created concurrently: the outcome we wanted
      }
      LOG.info(
          "created Raft group {} for partition {} with members {}",
          group.getGroupId(),
          p,
          group.getPeers());
    }
  }

  private boolean hosts(RaftGroupId id) {
    for (RaftGroupId g : raft.getGroupIds()) {
      if (g.equals(id)) {
        return true;
      }
    }
    return false;
  }

  private void startClientServer() throws IOException {
    Member self = config.self();
    RaftGateway gateway = new RaftGateway(raft, this::clientEndpoint, config.requestTimeoutMs());
    RaftGroupId only = PartitionGroups.groupId(0);
    KvGrpcService service =
        new KvGrpcService(
            gateway,
            key -> only,
            new RequestLimits(config.maxKeyBytes(), config.maxValueBytes()),
            this::status);
    try {
      grpc =
          NettyServerBuilder.forAddress(new InetSocketAddress(self.host(), self.clientPort()))
              .addService(service)
              .maxInboundMessageSize(config.maxValueBytes() + config.maxKeyBytes() + (64 << 10))
              .build()
              .start();
    } catch (IOException e) {
      if (e instanceof BindException || e.getCause() instanceof BindException) {
        throw new NodeStartException(
            "client address "
                + self.clientAddress()
                + " is not available: port in use or address not local");
      }
      throw e;
    }
  }

  private String clientEndpoint(RaftPeerId peer) {
    Member m = config.member(peer.toString());
    return m == null ? null : m.clientAddress();
  }

  /** This node's view of itself and the groups it hosts. */
  public ClusterStatusResponse status() {
    Member self = config.self();
    ClusterStatusResponse.Builder b =
        ClusterStatusResponse.newBuilder()
            .setNodeId(config.nodeId())
            .setClientEndpoint(self.clientAddress())
            .setRaftEndpoint(self.raftAddress())
            .setUptimeMs(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
    try {
      for (RaftGroupId gid : raft.getGroupIds()) {
        RaftServer.Division d = raft.getDivision(gid);
        DivisionInfo info = d.getInfo();
        RaftPeerId leader = info.getLeaderId();
        GroupStatus.Builder g =
            GroupStatus.newBuilder()
                .setPartition(Math.max(0, groups.partitionOf(gid)))
                .setGroupId(gid.getUuid().toString())
                .setRole(info.getCurrentRole().name())
                .setTerm(info.getCurrentTerm())
                .setCommitIndex(d.getRaftLog().getLastCommittedIndex())
                .setAppliedIndex(info.getLastAppliedIndex())
                .setLeaderId(leader == null ? "" : leader.toString())
                .setHealthy(info.isAlive() && leader != null);
        d.getGroup().getPeers().forEach(peer -> g.addMembers(peer.getId().toString()));
        b.addGroups(g);
      }
    } catch (IOException e) {
      LOG.warn("cannot read group status: {}", e.toString());
    }
    return b.build();
  }

  /** The Ratis server, for tests that inspect divisions. */
  public RaftServer raftServer() {
    return raft;
  }

  public NodeConfig config() {
    return config;
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitTermination() throws InterruptedException {
    stopped.await();
  }

  /** Stops serving clients, then closes the Raft server and every partition store. Idempotent. */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    try {
      if (grpc != null) {
        grpc.shutdown();
      }
      try {
        raft.close();
      } catch (IOException e) {
        LOG.warn("error closing Raft server: {}", e.toString());
      }
      if (grpc != null && !grpc.awaitTermination(5, TimeUnit.SECONDS)) {
        grpc.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      LOG.info("node {} stopped", config.nodeId());
      stopped.countDown();
    }
  }
}
