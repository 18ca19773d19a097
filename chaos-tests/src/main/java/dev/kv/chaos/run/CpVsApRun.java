package dev.kv.chaos.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kv.api.v1.Consistency;
import dev.kv.api.v1.GetResponse;
import dev.kv.chaos.check.CheckOptions;
import dev.kv.chaos.check.CheckResult;
import dev.kv.chaos.check.LinearizabilityChecker;
import dev.kv.chaos.check.Verdict;
import dev.kv.chaos.cluster.ChaosCluster;
import dev.kv.chaos.cluster.ClusterNode;
import dev.kv.chaos.history.History;
import dev.kv.chaos.history.HistoryJsonLines;
import dev.kv.chaos.history.HistoryRecorder;
import dev.kv.chaos.history.Outcome;
import dev.kv.chaos.history.Output;
import dev.kv.chaos.nemesis.Partitions;
import dev.kv.chaos.report.HtmlReport;
import dev.kv.chaos.report.RunReport;
import dev.kv.client.KvClient;
import dev.kv.client.ReadConsistency;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CP versus AP, shown on one partition: a follower is cut off while the majority keeps writing,
 * and both sides are read with LINEARIZABLE and with SERIALIZABLE consistency, each read sent to
 * one node's own KV service (no SDK: it would route the read to the key's group leader). One history is recorded; it is checked twice, once with the
 * writes and the linearizable reads, once with the writes and the serializable reads. The
 * minority must refuse every linearizable read (the CP answer), while its serializable reads
 * answer from its stale replica, which the checker flags (the AP answer).
 */
public final class CpVsApRun {
  private static final int KEYS = 6;
  private static final Duration PARTITION = Duration.ofSeconds(10);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

  private final ChaosCluster cluster;
  private final Path reportDir;
  private final String replay;

  /**
   * What the run saw.
   *
   * @param linearizable the check of the writes with the linearizable reads
   * @param serializable the check of the writes with the serializable reads
   * @param minorityLinearizableAnswered linearizable reads the minority answered (must be 0)
   * @param minorityLinearizableRefused linearizable reads the minority refused
   * @param minoritySerializableAnswered serializable reads the minority answered
   */
  public record Result(
      CheckResult linearizable,
      CheckResult serializable,
      long minorityLinearizableAnswered,
      long minorityLinearizableRefused,
      long minoritySerializableAnswered,
      Path reportDir) {

    /**
     * CP held and AP showed: every linearizable history checks out and the minority refused all
     * its linearizable reads, while it answered serializable reads that the checker flags.
     */
    public boolean asExpected() {
      return linearizable.verdict() == Verdict.LINEARIZABLE
          && minorityLinearizableAnswered == 0
          && minorityLinearizableRefused > 0
          && minoritySerializableAnswered > 0
          && serializable.verdict() == Verdict.NOT_LINEARIZABLE;
    }
  }

  public CpVsApRun(ChaosCluster cluster, Path reportDir, String replay) {
    this.cluster = cluster;
    this.reportDir = reportDir;
    this.replay = replay;
  }

  public Result run() throws IOException {
    Files.createDirectories(reportDir);
    HistoryRecorder recorder = new HistoryRecorder(System::nanoTime);
    // The busiest leader stays with the majority; the cut-off node leads fewer groups.
    ClusterNode leader = cluster.node(
        cluster.awaitLeaders(Duration.ofMinutes(1)).busiestLeader().orElseThrow());
    ClusterNode minority = cluster.nodes().stream().filter(n -> !n.equals(leader)).findFirst()
        .orElseThrow();
    List<ClusterNode> majority = cluster.nodes().stream().filter(n -> !n.equals(minority))
        .toList();
    Set<Long> linearizableReads = new HashSet<>();
    Set<Long> serializableReads = new HashSet<>();
    Set<Long> minorityLinearizable = new HashSet<>();
    Set<Long> minoritySerializable = new HashSet<>();
    String prefix = "cpap-" + Long.toHexString(System.nanoTime() & 0xffffff);
    try (KvClient writer = KvClient.builder()
            .endpoints(majority.stream().map(ClusterNode::apiEndpoint).toList())
            .timeout(Duration.ofSeconds(5)).attemptTimeout(Duration.ofSeconds(2)).build();
        Partitions partitions = new Partitions()) {
      HistoryRecorder.Client w = recorder.newClient();
      HistoryRecorder.Client readMinority = recorder.newClient();
      HistoryRecorder.Client readMajority = recorder.newClient();
      for (int k = 0; k < KEYS; k++) {
        put(writer, w, prefix + "-k" + k, "before-" + k);
      }
      String fault = "isolate " + minority.id() + " (minority)";
      recorder.nemesisStarted(fault);
      partitions.cut(List.of(minority), majority);
      long end = System.nanoTime() + PARTITION.toNanos();
      int round = 0;
      while (System.nanoTime() - end < 0) {
        round++;
        for (int k = 0; k < KEYS; k++) {
          String key = prefix + "-k" + k;
          put(writer, w, key, "during-" + round + "-" + k);
          for (ReadConsistency consistency : ReadConsistency.values()) {
            Set<Long> kind = consistency == ReadConsistency.LINEARIZABLE ? linearizableReads
                : serializableReads;
            long onMin = read(minority, readMinority, key, consistency);
            long onMaj = read(leader, readMajority, key, consistency);
            kind.add(onMin);
            kind.add(onMaj);
            (consistency == ReadConsistency.LINEARIZABLE ? minorityLinearizable
                : minoritySerializable).add(onMin);
          }
        }
      }
      partitions.healAll();
      recorder.nemesisStopped(fault);
    }
    cluster.awaitReady(Duration.ofMinutes(3));
    History all = recorder.snapshot();
    HistoryJsonLines.write(all, reportDir.resolve("history.jsonl"));
    History lin = without(all, serializableReads);
    History ser = without(all, linearizableReads);
    LinearizabilityChecker checker = LinearizabilityChecker.forRegisters(CheckOptions.DEFAULTS);
    CheckResult linCheck = checker.check(lin);
    CheckResult serCheck = checker.check(ser);
    long linAnswered = count(all, minorityLinearizable, Outcome.OK);
    long linRefused = minorityLinearizable.size() - linAnswered;
    long serAnswered = count(all, minoritySerializable, Outcome.OK);
    Result result = new Result(linCheck, serCheck, linAnswered, linRefused, serAnswered,
        reportDir);
    write(result, lin, ser, minority);
    return result;
  }

  private static void put(KvClient kv, HistoryRecorder.Client history, String key,
      String value) {
    HistoryRecorder.Invocation op = history.invokePut(key, value);
    try {
      op.ok(Output.put(kv.put(key.getBytes(StandardCharsets.UTF_8),
          value.getBytes(StandardCharsets.UTF_8))));
    } catch (RuntimeException e) {
      op.indeterminate(e.toString());
    }
  }

  /** One read answered by {@code node} itself; returns the operation's id. */
  private long read(ClusterNode node, HistoryRecorder.Client history, String key,
      ReadConsistency consistency) {
    HistoryRecorder.Invocation op = history.invokeGet(key);
    try {
      GetResponse got = cluster.admin().readAt(node, key,
          consistency == ReadConsistency.LINEARIZABLE ? Consistency.LINEARIZABLE
              : Consistency.SERIALIZABLE, READ_TIMEOUT);
      op.ok(got.getFound() ? Output.read(got.getValue().toStringUtf8(), got.getVersion())
          : Output.absent());
    } catch (StatusRuntimeException e) {
      op.failed(consistency + " refused: " + e.getStatus().getCode());
    }
    return op.id();
  }


  private static History without(History history, Set<Long> ids) {
    return new History(history.operations().stream().filter(o -> !ids.contains(o.id())).toList(),
        history.nemesisEvents());
  }

  private static long count(History history, Set<Long> ids, Outcome outcome) {
    return history.operations().stream()
        .filter(o -> ids.contains(o.id()) && o.outcome() == outcome).count();
  }

  private void write(Result r, History lin, History ser, ClusterNode minority)
      throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("scenario", "cp-vs-ap");
    root.put("replay", replay);
    root.put("as_expected", r.asExpected());
    root.put("minority", minority.id());
    root.put("minority_linearizable_answered", r.minorityLinearizableAnswered());
    root.put("minority_linearizable_refused", r.minorityLinearizableRefused());
    root.put("minority_serializable_answered", r.minoritySerializableAnswered());
    root.set("linearizable", RunReport.check(r.linearizable()));
    root.set("serializable", RunReport.check(r.serializable()));
    json.writeValue(reportDir.resolve("results.json").toFile(), root);
    cluster.saveLogs(reportDir.resolve("logs"));
    String html = HtmlReport.render("CP versus AP: one partition, two read consistencies",
        r.asExpected(),
        List.of("minority: " + minority.id() + ", cut off for " + PARTITION.toSeconds()
                + " s while the majority writes",
            "replay: " + replay),
        List.of(
            new HtmlReport.Panel("LINEARIZABLE reads (CP)", lin, r.linearizable(), List.of(
                "the minority refused " + r.minorityLinearizableRefused() + " and answered "
                    + r.minorityLinearizableAnswered() + " linearizable reads")),
            new HtmlReport.Panel("SERIALIZABLE reads (AP-like)", ser, r.serializable(), List.of(
                "the minority answered " + r.minoritySerializableAnswered()
                    + " serializable reads from its own, stale replica"))));
    Files.writeString(reportDir.resolve("report.html"), html);
  }
}
