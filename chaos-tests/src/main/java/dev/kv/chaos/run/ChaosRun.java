package dev.kv.chaos.run;

import dev.kv.chaos.check.CheckOptions;
import dev.kv.chaos.check.CheckResult;
import dev.kv.chaos.check.LinearizabilityChecker;
import dev.kv.chaos.check.SetCheck;
import dev.kv.chaos.cluster.ChaosCluster;
import dev.kv.chaos.cluster.ClusterNode;
import dev.kv.chaos.cluster.ClusterView;
import dev.kv.chaos.history.History;
import dev.kv.chaos.history.HistoryJsonLines;
import dev.kv.chaos.history.HistoryRecorder;
import dev.kv.chaos.history.OpKind;
import dev.kv.chaos.history.Operation;
import dev.kv.chaos.history.Outcome;
import dev.kv.chaos.history.Output;
import dev.kv.chaos.nemesis.Fault;
import dev.kv.chaos.nemesis.FaultKind;
import dev.kv.chaos.nemesis.Partitions;
import dev.kv.chaos.report.RunReport;
import dev.kv.chaos.workload.KeySpread;
import dev.kv.chaos.workload.RegisterWorkload;
import dev.kv.chaos.workload.SetWorkload;
import dev.kv.client.KvClient;
import dev.kv.client.KvException;
import dev.kv.client.VersionedValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Scenario} against a running cluster: the register workload records a history
 * (and the set workload its adds and reads) while the nemesis injects and heals faults one at a
 * time (waiting after each until the cluster is ready again), then final reads of every key, the
 * linearizability check, the lost-write check, the set check,
 * check that the workload reached every data group, the comparison of every group's replicas,
 * and the report. Leaves the cluster healed for the next run.
 */
public final class ChaosRun {
  private static final Logger LOG = LoggerFactory.getLogger(ChaosRun.class);
  private static final Duration HEAL_TIMEOUT = Duration.ofMinutes(3);
  private static final int FINAL_READ_ATTEMPTS = 10;
  private static final Duration REPLICA_CHECK_TIMEOUT = Duration.ofMinutes(2);

  private final ChaosCluster cluster;
  private final Scenario scenario;
  private final long seed;
  private final Path reportDir;
  private final String replay;

  /**
   * @param reportDir where the run's files go (created, emptied of earlier files of a run)
   * @param replay the one-line command that replays this run, for the summary and the report
   */
  public ChaosRun(
      ChaosCluster cluster, Scenario scenario, long seed, Path reportDir, String replay) {
    this.cluster = cluster;
    this.scenario = scenario;
    this.seed = seed;
    this.reportDir = reportDir;
    this.replay = replay;
  }

  public RunResult run() throws IOException {
    Files.createDirectories(reportDir);
    Random random = new Random(seed);
    HistoryRecorder recorder = new HistoryRecorder(System::nanoTime);
    List<String> problems = new ArrayList<>();
    String keyPrefix = scenario.name() + "-" + Long.toHexString(seed & 0xffffff);
    ClusterView before = cluster.awaitReady(HEAL_TIMEOUT);
    long workloadStart = System.nanoTime();
    long workloadEnd;
    RegisterWorkload workload =
        new RegisterWorkload(cluster.apiEndpoints(), recorder, keyPrefix,
            new KeySpread(before.dataGroups(), before::groupOf), scenario.workload(),
            random.nextLong());
    SetWorkload set = new SetWorkload(cluster.apiEndpoints(), "set-" + keyPrefix + "/",
        scenario.workload(), System::nanoTime);
    try (Partitions partitions = new Partitions()) {
      workload.start();
      set.start();
      try {
        runNemesis(partitions, recorder, random, problems);
      } finally {
        workload.close();
        set.close();
        workloadEnd = System.nanoTime();
        healEverything(partitions, problems);
      }
    }
    SetCheck.Result setCheck = set.check(set.finalRead());
    setCheck.violations().forEach(v -> problems.add("set: " + v));
    Map<String, Long> finalVersions = finalReads(recorder, workload.keys());
    History history = recorder.snapshot();
    HistoryJsonLines.write(history, reportDir.resolve("history.jsonl"));
    Map<String, Long> perGroup = answeredPerGroup(history, before);
    perGroup.forEach((group, ops) -> {
      if (ops == 0) {
        problems.add("no operation on a key of " + group + " was answered: the workload did not"
            + " cover every data group");
      }
    });
    List<ReplicaCheck.GroupReplicas> replicas =
        ReplicaCheck.compare(cluster, REPLICA_CHECK_TIMEOUT, problems);
    CheckResult check = LinearizabilityChecker.forRegisters(CheckOptions.DEFAULTS).check(history);
    RunResult result =
        new RunResult(scenario, seed, history, check, lostWrites(history, finalVersions), problems,
            Duration.ofNanos(workloadEnd - workloadStart), reportDir, replay, perGroup,
            replicas.stream().map(ReplicaCheck.GroupReplicas::summary).toList(), setCheck);
    RunReport.write(result, cluster);
    LOG.info("{}", result.summary());
    return result;
  }

  private void runNemesis(
      Partitions partitions, HistoryRecorder recorder, Random random, List<String> problems) {
    long end = System.nanoTime() + scenario.duration().toNanos();
    pause(scenario.quiet());
    for (int injected = 0; !scenario.faults().isEmpty(); injected++) {
      FaultKind kind = scenario.faults().get(random.nextInt(scenario.faults().size()));
      Duration hold = kind.hold(drawHold(random));
      if (injected >= scenario.minFaults()
          && System.nanoTime() + hold.plus(scenario.quiet()).toNanos() - end > 0) {
        break;
      }
      Fault fault = kind.pick(cluster, partitions, random);
      LOG.info("{}: fault {} for {} ms", scenario.name(), fault.name(), hold.toMillis());
      recorder.nemesisStarted(fault.name());
      try {
        fault.start();
        pause(hold);
      } catch (Exception e) {
        problems.add("could not inject " + fault.name() + ": " + e);
      } finally {
        try {
          fault.stop();
        } catch (Exception e) {
          problems.add("could not heal " + fault.name() + ": " + e);
        }
        recorder.nemesisStopped(fault.name());
      }
      try {
        cluster.awaitReady(HEAL_TIMEOUT);
      } catch (RuntimeException e) {
        problems.add("the cluster was not ready within " + HEAL_TIMEOUT.toSeconds() + " s after "
            + fault.name() + " healed: " + e.getMessage());
        return;
      }
      pause(scenario.quiet());
    }
    long left = end - System.nanoTime();
    if (left > 0) {
      pause(Duration.ofNanos(left));
    }
  }

  private Duration drawHold(Random random) {
    long min = scenario.holdMin().toMillis();
    long span = scenario.holdMax().toMillis() - min;
    return Duration.ofMillis(min + (span == 0 ? 0 : Math.floorMod(random.nextLong(), span + 1)));
  }

  /** Whatever a failed fault left behind: partitions, frozen or stopped nodes, shifted clocks. */
  private void healEverything(Partitions partitions, List<String> problems) {
    partitions.healAll();
    for (ClusterNode node : cluster.nodes()) {
      try {
        cluster.unpause(node);
        cluster.startAgain(node);
        if (cluster.clockOffset(node).isPresent()) {
          cluster.restartWithClockOffset(node, null);
        }
      } catch (RuntimeException e) {
        problems.add("could not restore " + node + ": " + e);
      }
    }
    try {
      cluster.awaitReady(HEAL_TIMEOUT);
    } catch (RuntimeException e) {
      problems.add("the cluster did not heal after the run: " + e.getMessage());
    }
  }

  /**
   * One linearizable read of every key, recorded like any operation; returns the version each
   * read saw (0 when absent), for the keys whose read was answered.
   */
  private Map<String, Long> finalReads(HistoryRecorder recorder, List<String> keys) {
    Map<String, Long> versions = new HashMap<>();
    HistoryRecorder.Client history = recorder.newClient();
    try (KvClient kv = RegisterWorkload.client(cluster.apiEndpoints(), 0,
        Duration.ofSeconds(10), Duration.ofSeconds(3))) {
      for (String key : keys) {
        for (int attempt = 0; attempt < FINAL_READ_ATTEMPTS; attempt++) {
          HistoryRecorder.Invocation op = history.invokeGet(key);
          try {
            Optional<VersionedValue> got = kv.get(key.getBytes(StandardCharsets.UTF_8));
            op.ok(got.map(v -> Output.read(v.valueAsString(), v.version()))
                .orElseGet(Output::absent));
            versions.put(key, got.map(VersionedValue::version).orElse(0L));
            break;
          } catch (KvException e) {
            op.failed(e.code().name());
          }
        }
      }
    }
    return versions;
  }

  /**
   * Operations answered OK per data group, by the map at the start (the ranges do not move during
   * a run; replicas and leaders do): every group must have some.
   */
  static Map<String, Long> answeredPerGroup(History history, ClusterView view) {
    Map<String, Long> perGroup = new TreeMap<>();
    view.dataGroups().forEach(g -> perGroup.put(g, 0L));
    for (Operation op : history.operations()) {
      if (op.outcome() == Outcome.OK) {
        perGroup.merge(view.groupOf(op.key()), 1L, Long::sum);
      }
    }
    return perGroup;
  }

  /**
   * Every acknowledged write bumped its key's version once, so the final read of a key, which
   * began after every write had returned, must see at least as many versions as there were
   * acknowledged writes.
   *
   * @param finalVersions the version each key's final read saw; a key without one had no answer
   */
  static List<String> lostWrites(History history, Map<String, Long> finalVersions) {
    Map<String, Long> acknowledged = new TreeMap<>();
    for (Operation op : history.operations()) {
      if (op.outcome() == Outcome.OK && (op.kind() == OpKind.PUT
          || (op.kind() == OpKind.CAS && ((Output.CasResult) op.output()).succeeded()))) {
        acknowledged.merge(op.key(), 1L, Long::sum);
      }
    }
    List<String> lost = new ArrayList<>();
    acknowledged.forEach((key, writes) -> {
      Long version = finalVersions.get(key);
      if (version == null) {
        lost.add(key + ": " + writes + " acknowledged writes, and no final read was answered");
      } else if (version < writes) {
        lost.add(key + ": " + writes + " acknowledged writes, but the final read saw version "
            + version);
      }
    });
    return lost;
  }

  /** Paces the schedule (not a synchronisation: nothing is waited for). */
  private static void pause(Duration duration) {
    try {
      TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
