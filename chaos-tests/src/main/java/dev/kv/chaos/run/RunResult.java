package dev.kv.chaos.run;

import dev.kv.chaos.check.CheckResult;
import dev.kv.chaos.check.SetCheck;
import dev.kv.chaos.check.Verdict;
import dev.kv.chaos.history.History;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one chaos run found.
 *
 * @param scenario the plan it ran
 * @param seed the seed it drew faults and operations from
 * @param history every operation and fault, on one clock
 * @param check the linearizability verdict of the history
 * @param lostWrites acknowledged writes the final reads did not find (one line per key)
 * @param problems anything else that failed the run: a node that did not heal, a fault that
 *     could not be injected
 * @param workloadTime how long the workload ran
 * @param reportDir where history.jsonl, results.json and report.html are
 * @param replay the one-line command that runs it again with the same seed
 * @param answeredPerGroup operations answered OK per data group (every group needs some)
 * @param replicas one line per group: whether its replicas held identical data at one applied
 *     index, with each replica's index, entry count and hash
 * @param set the set workload's verdict (its violations are also among the problems)
 */
public record RunResult(
    Scenario scenario,
    long seed,
    History history,
    CheckResult check,
    List<String> lostWrites,
    List<String> problems,
    Duration workloadTime,
    Path reportDir,
    String replay,
    Map<String, Long> answeredPerGroup,
    List<String> replicas,
    SetCheck.Result set) {

  public RunResult {
    lostWrites = List.copyOf(lostWrites);
    problems = List.copyOf(problems);
    answeredPerGroup = Map.copyOf(answeredPerGroup);
    replicas = List.copyOf(replicas);
  }

  /** Linearizable (UNKNOWN is no pass), nothing lost, everything healed. */
  public boolean passed() {
    return check.verdict() == Verdict.LINEARIZABLE && lostWrites.isEmpty() && problems.isEmpty();
  }

  /** Completed operations per second of workload time. */
  public double opsPerSecond() {
    long returned = history.operations().stream().filter(o -> o.returned()).count();
    return workloadTime.isZero() ? 0 : returned * 1e9 / workloadTime.toNanos();
  }

  /** A few lines for a test failure or the build log: verdict, seed, replay, report. */
  public String summary() {
    StringBuilder s = new StringBuilder();
    s.append(scenario.name()).append(": ").append(passed() ? "PASSED" : "FAILED")
        .append(" (seed ").append(seed).append(", ").append(history.operations().size())
        .append(" ops, ").append(String.format("%.0f", opsPerSecond())).append(" ops/s, ")
        .append(history.nemesisEvents().size() / 2).append(" faults)\n  check: ")
        .append(check.describe().replace("\n", "\n  "))
        .append("\n  answered per group: ").append(new java.util.TreeMap<>(answeredPerGroup))
        .append("\n  replicas: ").append(replicas.stream().filter(r -> r.startsWith("identical"))
            .count()).append(" of ").append(replicas.size()).append(" groups identical")
        .append("\n  ").append(set.describe());
    lostWrites.forEach(l -> s.append("\n  lost write: ").append(l));
    problems.forEach(p -> s.append("\n  problem: ").append(p));
    s.append("\n  report: ").append(reportDir.resolve("report.html"));
    s.append("\n  replay: ").append(replay);
    return s.toString();
  }
}
