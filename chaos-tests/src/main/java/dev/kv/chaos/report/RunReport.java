package dev.kv.chaos.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kv.chaos.check.CheckResult;
import dev.kv.chaos.check.KeyResult;
import dev.kv.chaos.check.Verdict;
import dev.kv.chaos.cluster.ChaosCluster;
import dev.kv.chaos.history.History;
import dev.kv.chaos.history.Operation;
import dev.kv.chaos.history.Outcome;
import dev.kv.chaos.run.RunResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Writes a run's files into its report folder: {@code results.json} (the verdict and figures, for
 * machines), {@code report.html} (for people) and the nodes' logs under {@code logs/}. The
 * history itself ({@code history.jsonl}) is written by the run before the check.
 */
public final class RunReport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RunReport() {}

  public static void write(RunResult result, ChaosCluster cluster) throws IOException {
    Path dir = result.reportDir();
    Files.createDirectories(dir);
    cluster.saveLogs(dir.resolve("logs"));
    ObjectNode json = results(result);
    JSON.writeValue(dir.resolve("results.json").toFile(), json);
    List<String> notes = new java.util.ArrayList<>();
    result.lostWrites().forEach(l -> notes.add("lost write: " + l));
    result.problems().forEach(p -> notes.add("problem: " + p));
    String html = HtmlReport.render(
        "chaos run " + result.scenario().name(), result.passed(), header(result),
        List.of(new HtmlReport.Panel(
            "faults: " + result.scenario().faults(), result.history(), result.check(), notes)));
    Files.writeString(dir.resolve("report.html"), html);
  }

  /** The lines at the top of a report: seed, replay, figures. */
  public static List<String> header(RunResult result) {
    return List.of(
        "seed " + result.seed(),
        "replay: " + result.replay(),
        String.format(Locale.ROOT, "%d operations in %.1f s of workload: %.0f ops/s",
            result.history().operations().size(), result.workloadTime().toMillis() / 1000.0,
            result.opsPerSecond()),
        "check: " + result.check().verdict() + " in " + result.check().elapsed().toMillis()
            + " ms over " + result.check().keys().size() + " keys",
        "acknowledged writes lost: " + result.lostWrites().size(),
        "operations answered per data group: " + new TreeMap<>(result.answeredPerGroup()),
        "replicas after healing: " + String.join(" | ", result.replicas()),
        result.set().describe());
  }

  static ObjectNode results(RunResult result) {
    ObjectNode root = JSON.createObjectNode();
    root.put("scenario", result.scenario().name());
    root.put("passed", result.passed());
    root.put("seed", result.seed());
    root.put("replay", result.replay());
    ArrayNode kinds = root.putArray("fault_kinds");
    result.scenario().faults().forEach(k -> kinds.add(k.name()));
    root.put("workload_ms", result.workloadTime().toMillis());
    root.put("ops_per_second", Math.round(result.opsPerSecond() * 10) / 10.0);
    root.set("operations", operationCounts(result.history()));
    root.set("check", check(result.check()));
    ArrayNode faults = root.putArray("faults");
    long t0 = result.history().operations().stream().mapToLong(Operation::callNanos).min()
        .orElse(0);
    result.history().nemesisEvents().forEach(e -> faults.addObject()
        .put("name", e.name()).put("phase", e.phase().name())
        .put("at_ms", (e.timeNanos() - t0) / 1_000_000));
    ObjectNode perGroup = root.putObject("answered_per_group");
    new TreeMap<>(result.answeredPerGroup()).forEach(perGroup::put);
    ArrayNode replicas = root.putArray("replicas");
    result.replicas().forEach(replicas::add);
    ArrayNode lost = root.putArray("lost_writes");
    result.lostWrites().forEach(lost::add);
    ArrayNode problems = root.putArray("problems");
    result.problems().forEach(problems::add);
    ObjectNode set = root.putObject("set");
    new TreeMap<>(result.set().adds()).forEach((outcome, n) ->
        set.put("adds_" + outcome.name().toLowerCase(Locale.ROOT), n));
    set.put("reads", result.set().reads());
    set.put("final_elements", result.set().finalElements());
    set.put("valid", result.set().valid());
    ArrayNode violations = set.putArray("violations");
    result.set().violations().forEach(violations::add);
    return root;
  }

  /** How many operations ended OK, FAILED and INDETERMINATE. */
  public static ObjectNode operationCounts(History history) {
    ObjectNode counts = JSON.createObjectNode();
    counts.put("total", history.operations().size());
    for (Outcome outcome : Outcome.values()) {
      counts.put(outcome.name().toLowerCase(Locale.ROOT),
          history.operations().stream().filter(o -> o.outcome() == outcome).count());
    }
    return counts;
  }

  /** A check's verdict, figures and first violation, as JSON. */
  public static ObjectNode check(CheckResult check) {
    ObjectNode node = JSON.createObjectNode();
    node.put("verdict", check.verdict().name());
    node.put("keys", check.keys().size());
    node.put("elapsed_ms", check.elapsed().toMillis());
    node.put("not_linearizable_keys", check.keysWith(Verdict.NOT_LINEARIZABLE).size());
    node.put("unknown_keys", check.keysWith(Verdict.UNKNOWN).size());
    ArrayNode problems = node.putArray("problem_keys");
    for (KeyResult key : check.keys()) {
      if (key.verdict() == Verdict.LINEARIZABLE) {
        continue;
      }
      ObjectNode k = problems.addObject();
      k.put("key", key.key()).put("verdict", key.verdict().name()).put("describe",
          key.describe());
      key.violation().ifPresent(v -> {
        ArrayNode prefix = k.putArray("longest_linearization");
        v.longestLinearization().forEach(prefix::add);
        k.put("state_after", v.stateAfter());
        ArrayNode unfit = k.putArray("not_linearizable");
        v.notLinearizable().forEach(unfit::add);
      });
    }
    return node;
  }
}
