package io.kvstore.cli.drill;

import io.kvstore.cli.check.CheckResult;
import java.util.List;
import java.util.Map;

/**
 * A workload's verdict: the linearizability checker's result where the workload has one (null
 * otherwise), the anomalies its own checks found, and figures worth reporting (e.g. cas ok/fail).
 */
public record WorkloadCheck(
    String workload,
    CheckResult linearizability,
    List<Anomaly> anomalies,
    Map<String, Object> stats) {
  public WorkloadCheck {
    anomalies = List.copyOf(anomalies);
    stats = Map.copyOf(stats);
  }

  /** No anomaly, and linearizable where checked (UNKNOWN fails). */
  public boolean passed() {
    return anomalies.isEmpty() && (linearizability == null || linearizability.isValid());
  }
}
