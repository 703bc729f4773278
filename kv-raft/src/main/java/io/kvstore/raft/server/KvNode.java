package io.kvstore.raft.server;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.NodeEntry;
import io.kvstore.core.storage.mapdb.MapDbPartitionStore;
import io.kvstore.raft.admin.KvAdminService;
import io.kvstore.raft.api.KeyRouter;
import io.kvstore.raft.api.KvGrpcService;
import io.kvstore.raft.api.LocalReads;
import io.kvstore.raft.api.RaftGateway;
import io.kvstore.raft.api.RequestLimits;
import io.kvstore.raft.statemachine.HotCache;
import io.kvstore.raft.statemachine.KvStateMachine;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyExistsException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * A running node: one Ratis server hosting the meta group (if this node is one of its voters) and a
 * Raft group for every partition with a replica here, and the client API server. This is the
 * composition root: the only place where the parts are wired together.
 *
 * <p>Bootstrap: the first start of an empty data directory computes the cluster map from the
 * configuration (every node computes the same one), keeps it in the data directory, creates the
 * groups this node hosts, and the meta voters store the map in the meta group ({@code
 * cluster.join=true} instead adds the node to a running cluster's map, hosting nothing). Later
 * starts recover every group from disk and use the kept map; from then on the node follows the map
 * in the meta group ({@link MapFollower}). A group the map places here but that is missing from an
 * initialized directory is never created again (a replica that forgot its log and votes could break
 * Raft's safety); replicas arrive only by moves ({@link ReplicaMover}).
 */
public final class KvNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KvNode.class);

  private final NodeConfig config;
  private final RaftServer raft;
  private final PartitionGroups groups;
  private final NodeStatus status;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean closing = new AtomicBoolean();
  private Server grpc;
  private RaftGateway gateway;
  private MapPublisher publisher;
  private MapFollower follower;
  private final ExecutorService clientExecutor =
      Executors.newFixedThreadPool(
          Math.max(4, 2 * Runtime.getRuntime().availableProcessors()),
          r -> {
            Thread t = new Thread(r, "kv-api-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
  private static final AtomicLong THREADS = new AtomicLong();

  private final DiskWatchdog disk;
  private final ScheduledExecutorService watchdog =
      Executors.newSingleThreadScheduledExecutor(daemon("kv-disk-watchdog"));
  private final ExecutorService failoverExecutor =
      Executors.newFixedThreadPool(2, daemon("kv-storage-failover"));
  private StorageFailover failover;
  private LogCompactor compactor;

  private KvNode(
      NodeConfig config,
      RaftServer raft,
      PartitionGroups groups,
      HotCache cache,
      DiskWatchdog disk) {
    this.config = config;
    this.raft = raft;
    this.groups = groups;
    this.disk = disk;
    this.status = new NodeStatus(config, raft, groups, cache, disk);
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
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
    ClusterMap map = clusterMap(config, initialized);

    PartitionGroups groups = new PartitionGroups(map);
    HotCache cache = new HotCache(config.cacheBytes());
    DiskWatchdog disk =
        new DiskWatchdog(
            config.nodeId(),
            config.dataDir(),
            config.diskMinFreeBytes(),
            config.diskResumeFreeBytes());
    MapDbPartitionStore.Options storeOptions =
        new MapDbPartitionStore.Options(
            config.storageCommitEveryEntries(),
            4L << 20,
            config.storageValuesSeparate(),
            config.storageMmap(),
            config.storageCommitEveryBytes());
    RaftServer raft =
        RaftServer.newBuilder()
            .setServerId(RaftPeerId.valueOf(config.nodeId()))
            .setProperties(RaftSettings.build(config))
            .setStateMachineRegistry(
                gid -> {
                  Integer p = groups.partitionOf(gid);
                  if (p == null) {
                    throw new IllegalStateException(
                        "group " + gid + " is not a partition of this cluster");
                  }
                  return new KvStateMachine(
                          p,
                          dir -> MapDbPartitionStore.open(dir, storeOptions),
                          config.compression(),
                          cache,
                          disk)
                      .seedFrom(SnapshotRestore.stagedSnapshot(config.dataDir(), p))
                      .snapshotAtStartAbove(config.snapshotRestartReplayBytes());
                })
            .setOption(RaftStorage.StartupOption.RECOVER)
            .build();
    groups.runningGroups(raft::getGroupIds);
    KvNode node = new KvNode(config, raft, groups, cache, disk);
    try {
      raft.start();
      node.ensureGroups(initialized);
      node.follower =
          new MapFollower(
              config.nodeId(),
              config.dataDir(),
              groups,
              new GroupJanitor(raft, groups, config.nodeId()),
              config.mapPollMs());
      Preflight.markInitialized(config.dataDir(), config.nodeId());
      SnapshotRestore.finish(config.dataDir());
      node.startClientServer();
      node.follower.start();
      node.startWatchdog();
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    LOG.info(
        "node {} started: raft {}, client {}, zone {}, data {}, map epoch {}, {} partitions here",
        config.nodeId(),
        self.raftAddress(),
        self.clientAddress(),
        self.zone(),
        config.dataDir().toAbsolutePath(),
        map.epoch(),
        map.partitionsOf(config.nodeId()).size());
    return node;
  }

  /**
   * The map this node starts with: on the very first start computed from the configuration (every
   * node computes the same one) or, with {@code cluster.join=true}, the running cluster's map with
   * this node added; on later starts the copy kept in the data directory (the node then follows the
   * meta group for newer ones).
   */
  private static NodeStartException noMapFile(NodeConfig config) {
    return new NodeStartException(
        "data directory "
            + config.dataDir()
            + " was initialized but has no "
            + MapFile.NAME
            + "; restore the directory or replace the node");
  }

  private static ClusterMap clusterMap(NodeConfig config, boolean initialized) throws IOException {
    ClusterMap stored = MapFile.load(config.dataDir());
    if (config.join()) {
      if (stored != null) {
        return stored; // joined before; cluster.join only matters on the first start
      }
      if (initialized) {
        throw noMapFile(config);
      }
      ClusterMap joined = ClusterJoin.join(config);
      MapFile.save(config.dataDir(), joined);
      return joined;
    }
    ClusterMap fromConfig;
    try {
      fromConfig =
          ClusterMap.bootstrap(
              config.members().stream().map(Member::toNodeEntry).toList(),
              config.partitions(),
              config.replicationFactor());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    if (stored == null) {
      if (initialized) {
        throw noMapFile(config);
      }
      ClusterJoin.checkNoOtherCluster(config, fromConfig);
      MapFile.save(config.dataDir(), fromConfig);
      return fromConfig;
    }
    if (stored.partitionCount() != fromConfig.partitionCount()
        || (stored.epoch() == 1 && !stored.nodes().equals(fromConfig.nodes()))) {
      LOG.warn(
          "cluster.* settings differ from the cluster map this node bootstrapped with; the "
              + "stored map (epoch {}, {} partitions, {} nodes) wins",
          stored.epoch(),
          stored.partitionCount(),
          stored.nodes().size());
    }
    return stored;
  }

  private void ensureGroups(boolean initializedBefore) throws IOException {
    ClientId admin = ClientId.randomId();
    AtomicLong callId = new AtomicLong();
    for (int p : groups.hostedBy(config.nodeId())) {
      RaftGroup group = groups.group(p);
      if (hosts(group.getGroupId())) {
        continue;
      }
      String what = p == PartitionGroups.META ? "the meta group" : "partition " + p;
      if (initializedBefore) {
        // Never create it again: a replica that forgot its log and votes could break Raft's
        // safety. The map may also be older than the group's removal (a replica moved away while
        // this node was down); the node follows the meta group's map and the group stays a
        // down replica until a mover replaces it.
        LOG.error(
            "data directory {} has no Raft group for {} although its cluster map (epoch {}) places"
                + " one here; not creating it again (restore the directory, or move the replica"
                + " to another node)",
            config.dataDir(),
            what,
            groups.map().epoch());
        continue;
      }
      addGroup(group, what, admin, callId);
      LOG.info(
          "created Raft group {} for {} with members {}",
          group.getGroupId(),
          what,
          group.getPeers());
    }
  }

  /**
   * Creates a group on this server. Idempotent: a group that already exists is success, and the
   * directory a failed attempt leaves behind (Ratis does not remove it, and every later attempt
   * would then fail) is removed before one more try.
   */
  private void addGroup(RaftGroup group, String what, ClientId admin, AtomicLong callId)
      throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        RaftClientReply reply =
            raft.groupManagement(
                GroupManagementRequest.newAdd(
                    admin, raft.getId(), callId.incrementAndGet(), group));
        if (reply.isSuccess()) {
          return;
        }
        if (attempt > 1) {
          throw new IOException("cannot create group of " + what + ": " + reply.getException());
        }
        LOG.warn(
            "creating group of {} failed ({}); cleaning up, retrying", what, reply.getException());
      } catch (AlreadyExistsException e) {
        return;
      } catch (IOException e) {
        if (attempt > 1) {
          throw e;
        }
        LOG.warn("creating group of {} failed ({}); cleaning up, retrying", what, e.toString());
      }
      if (!hosts(group.getGroupId())) {
        deleteTree(
            config.dataDir().resolve("raft").resolve(group.getGroupId().getUuid().toString()));
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private boolean hosts(RaftGroupId id) {
    try {
      raft.getDivision(id);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void startClientServer() throws IOException {
    Member self = config.self();
    ClusterMap map = groups.map();
    RaftGateway gateway =
        new RaftGateway(
            raft, this::clientEndpoint, config.requestTimeoutMs(), () -> groups.map().epoch());
    if (config.unsafeAckBeforeCommit()) {
      gateway.enableUnsafeAckBeforeCommit(); // test-only seeded bug; logs UNSAFE
    }
    gateway.enableBatching(config.batch());
    this.gateway = gateway;
    gateway.refuseWritesWhen(
        () ->
            disk.writable()
                ? null
                : "node "
                    + config.nodeId()
                    + " refuses writes: data disk "
                    + disk.health().state()
                    + " ("
                    + disk.health().reason()
                    + ")");
    KvGrpcService service =
        new KvGrpcService(
            gateway,
            new LocalReads(
                raft,
                gateway,
                config.electionTimeoutMinMs(),
                this::clientEndpoint,
                () -> groups.map().epoch()),
            router(),
            new RequestLimits(config.maxKeyBytes(), config.maxValueBytes()),
            status::status,
            status::clusterMap);
    try {
      grpc =
          NettyServerBuilder.forAddress(new InetSocketAddress(self.host(), self.clientPort()))
              // Handlers only hand requests to Ratis; a small fixed pool instead of gRPC's
              // default cached one keeps threads from growing with requests in flight.
              .executor(clientExecutor)
              .addService(service)
              .addService(new KvAdminService(raft, gateway, router(), groups::map, config.nodeId()))
              .maxInboundMessageSize(
                  Math.max(
                      config.maxRequestBytes(),
                      config.maxValueBytes() + config.maxKeyBytes() + (64 << 10)))
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
    if (map.isMetaVoter(config.nodeId()) && map.epoch() == 1) {
      publisher = new MapPublisher(gateway, map, follower);
      Thread t = new Thread(publisher, config.nodeId() + "-map-publisher");
      t.setDaemon(true);
      t.start();
    }
  }

  /** Routes by the current map; a miss makes the node check for a newer map at once. */
  private KeyRouter router() {
    return new KeyRouter(
        groups::map,
        config.nodeId(),
        PartitionGroups::groupId,
        p -> hosts(PartitionGroups.groupId(p)),
        follower::poke);
  }

  /**
   * Every {@code storage.disk.check-interval-ms} (and at once when a state machine reports an I/O
   * error): check the data disk, move leadership away or back, snapshot partitions whose log is
   * past {@code raft.snapshot.trigger-log-mb}.
   */
  private void startWatchdog() {
    failover = new StorageFailover(raft, groups, config.nodeId(), failoverExecutor);
    compactor = new LogCompactor(raft, groups, config.nodeId(), config.snapshotTriggerLogBytes());
    disk.onReport(
        () -> {
          if (!watchdog.isShutdown()) {
            watchdog.execute(this::watch);
          }
        });
    long every = config.diskCheckIntervalMs();
    watchdog.scheduleWithFixedDelay(this::watch, 0, every, TimeUnit.MILLISECONDS);
  }

  private void watch() {
    if (closing.get()) {
      return;
    }
    try {
      disk.check();
      boolean writable = disk.writable();
      failover.tick(writable);
      if (writable) {
        compactor.tick();
      }
    } catch (RuntimeException e) {
      LOG.debug("disk watchdog round failed: {}", e.toString());
    }
  }

  private String clientEndpoint(RaftPeerId peer) {
    return groups.map().node(peer.toString()).map(NodeEntry::clientEndpoint).orElse(null);
  }

  /** This node's view of itself and the groups it hosts. */
  public ClusterStatusResponse status() {
    return status.status();
  }

  /** The cluster map this node uses. */
  public ClusterMap clusterMap() {
    return groups.map();
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
      watchdog.shutdownNow();
      failoverExecutor.shutdownNow();
      if (publisher != null) {
        publisher.stop();
      }
      if (follower != null) {
        follower.close();
      }
      if (grpc != null) {
        grpc.shutdown();
      }
      if (gateway != null) {
        gateway.close();
      }
      try {
        raft.close();
      } catch (IOException e) {
        LOG.warn("error closing Raft server: {}", e.toString());
      }
      if (grpc != null && !grpc.awaitTermination(5, TimeUnit.SECONDS)) {
        grpc.shutdownNow();
      }
      clientExecutor.shutdownNow();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      LOG.info("node {} stopped", config.nodeId());
      stopped.countDown();
    }
  }
}
