package io.kvstore.core.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which nodes should vote in the meta group (the group holding the cluster map), and the next
 * single change towards them.
 *
 * <p>Size: 5 voters once at least 5 nodes are ACTIVE, else 3 (tolerating two failures, or one).
 * When fewer ACTIVE nodes exist than that, current voters that are not ACTIVE stay, up to the size:
 * a voter on a draining node still votes, which is better than a smaller group.
 *
 * <p>Choice, deterministic and with minimal change: as many distinct zones as possible first (a
 * zone outage then takes at most its share of the voters); within that, current voters are kept
 * wherever possible. Concretely: one voter per zone, taking zones that already hold an ACTIVE voter
 * first (that voter, in current order), then zones without one (their node with the smallest id,
 * zones in the order of those ids); remaining seats go to current ACTIVE voters, then to other
 * ACTIVE nodes in the least-represented zones, by id.
 *
 * <p>Changes: {@link #nextChange} gives one voter in or out at a time (Raft's single-server
 * change). A replacement adds first and removes next, so the group never has fewer voters than
 * before during the change (3 -> 4 -> 3 tolerates one failure throughout, 3 -> 2 -> 3 would not).
 */
public final class MetaVoters {
  /** Voters while fewer than {@link #LARGE_AFTER} nodes are ACTIVE. */
  public static final int SMALL = 3;

  /** Voters once at least {@link #LARGE_AFTER} nodes are ACTIVE. */
  public static final int LARGE = 5;

  /** ACTIVE nodes from which the meta group has {@link #LARGE} voters. */
  public static final int LARGE_AFTER = 5;

  private MetaVoters() {}

  /**
   * One step of a voter change: exactly one of {@code add} and {@code remove} is present, and
   * {@code votersAfter} is the voter list to record with {@link ClusterMap#withMetaVoters} once the
   * meta group's Raft configuration has changed.
   */
  public record Change(Optional<String> add, Optional<String> remove, List<String> votersAfter) {
    public Change {
      Objects.requireNonNull(add, "add");
      Objects.requireNonNull(remove, "remove");
      votersAfter = List.copyOf(votersAfter);
      if (add.isPresent() == remove.isPresent()) {
        throw new IllegalArgumentException("a voter change adds or removes exactly one voter");
      }
    }
  }

  /** The voters {@code map} should have (order: as chosen; compare as a set). */
  public static List<String> target(ClusterMap map) {
    Objects.requireNonNull(map, "map");
    List<NodeEntry> active =
        map.nodes().stream()
            .filter(NodeEntry::isActive)
            .sorted(Comparator.comparing(NodeEntry::id))
            .toList();
    int seats = active.size() >= LARGE_AFTER ? LARGE : SMALL;
    List<NodeEntry> currentActive = new ArrayList<>();
    for (String v : map.metaVoters()) {
      map.node(v).filter(NodeEntry::isActive).ifPresent(currentActive::add);
    }

    // One seat per zone: zones of current voters first, each keeping its first current voter.
    Map<String, NodeEntry> perZone = new LinkedHashMap<>();
    for (NodeEntry n : currentActive) {
      perZone.putIfAbsent(n.zone(), n);
    }
    for (NodeEntry n : active) {
      perZone.putIfAbsent(n.zone(), n);
    }
    List<NodeEntry> chosen = new ArrayList<>();
    for (NodeEntry n : perZone.values()) {
      if (chosen.size() < seats) {
        chosen.add(n);
      }
    }
    // Remaining seats: current voters, then the least-represented zones, by id.
    for (NodeEntry n : currentActive) {
      if (chosen.size() < seats && !chosen.contains(n)) {
        chosen.add(n);
      }
    }
    while (chosen.size() < seats) {
      NodeEntry best = null;
      for (NodeEntry n : active) {
        if (!chosen.contains(n)
            && (best == null || inZone(chosen, n.zone()) < inZone(chosen, best.zone()))) {
          best = n;
        }
      }
      if (best == null) {
        break;
      }
      chosen.add(best);
    }
    List<String> out = new ArrayList<>(chosen.stream().map(NodeEntry::id).toList());
    // Too few ACTIVE nodes: current voters that are not ACTIVE keep their seats.
    for (String v : map.metaVoters()) {
      if (out.size() < seats && !out.contains(v)) {
        out.add(v);
      }
    }
    return List.copyOf(out);
  }

  private static long inZone(List<NodeEntry> chosen, String zone) {
    return chosen.stream().filter(n -> n.zone().equals(zone)).count();
  }

  /**
   * The next single voter change towards {@link #target}, or empty when the voters already match it
   * (as a set). Adds while there are fewer voters than the target or as many (a replacement adds
   * first), removes while there are more; it removes non-ACTIVE voters first.
   */
  public static Optional<Change> nextChange(ClusterMap map) {
    List<String> wanted = target(map);
    List<String> current = map.metaVoters();
    Set<String> currentSet = new HashSet<>(current);
    if (currentSet.equals(new HashSet<>(wanted))) {
      return Optional.empty();
    }
    List<String> missing = new ArrayList<>(wanted);
    missing.removeAll(currentSet);
    List<String> extra = new ArrayList<>(current);
    extra.removeAll(wanted);
    extra.sort(
        Comparator.comparing((String v) -> map.node(v).map(NodeEntry::isActive).orElse(false)));
    List<String> after = new ArrayList<>(current);
    if (!missing.isEmpty() && current.size() <= wanted.size()) {
      after.add(missing.get(0));
      return Optional.of(new Change(Optional.of(missing.get(0)), Optional.empty(), after));
    }
    after.remove(extra.get(0));
    return Optional.of(new Change(Optional.empty(), Optional.of(extra.get(0)), after));
  }
}
