package dev.kv.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kv.client.ReadConsistency;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The table, JSON and SVG writers produce what they promise from a fixed set of results. */
class ReportsTest {
  @TempDir Path dir;

  private static final Workload WRITES = workload(ComparisonPlan.WRITES, "64 clients, puts 256 B");
  private static final Workload READS =
      workload(ComparisonPlan.READS, "64 clients, <linearizable> & \"quoted\" gets");

  private static final List<RunResult> RESULTS =
      List.of(
          result(WRITES, "kv", 1000, 2_000, Map.of())
              .withServerCost(new ServerCost(Duration.ofSeconds(10), 150_000, 20_000)),
          result(WRITES, "etcd", 2000, 1_500, Map.of())
              .withServerCost(new ServerCost(Duration.ofSeconds(5), -1, -1)),
          result(READS, "kv", 3000, 900, Map.of("UNAVAILABLE", 3L, "DEADLINE_EXCEEDED", 1L)),
          result(READS, "etcd", 1500, 4_000, Map.of()));

  @Test
  void ratiosDivideKvByEtcdThroughput() {
    Ratios ratios = Ratios.of(RESULTS, "kv", "etcd");

    assertThat(ratios.line()).isEqualTo("ratio (kv/etcd): writes 0.50x, reads 2.00x");
  }

  @Test
  void ratiosSayNotAvailableForMissingRuns() {
    Ratios ratios = Ratios.of(RESULTS.subList(0, 2), "kv", "etcd");

    assertThat(ratios.line()).isEqualTo("ratio (kv/etcd): writes 0.50x, reads n/a");
  }

  @Test
  void goalsAreJudgedStrictlyOnTheFiguresTheyPrint() {
    Workload single = workload(ComparisonPlan.SINGLE_CLIENT_PUTS, "1 client, puts 256 B");
    List<RunResult> results =
        List.of(
            result(single, "kv", 500, 2_002, Map.of()),
            result(single, "etcd", 600, 2_000, Map.of()),
            result(WRITES, "kv", 1500, 30_000, Map.of()),
            result(WRITES, "etcd", 1000, 30_000, Map.of()),
            result(READS, "kv", 1999, 900, Map.of()),
            result(READS, "etcd", 1000, 4_000, Map.of()));

    List<String> lines = Goals.of(results, "kv", "etcd").lines();

    assertThat(lines)
        .containsExactly(
            "goals (kv against etcd in this run; strict comparisons, no noise margin):",
            "  met      writes >= 1.5x etcd's (64 clients, 256 B puts):"
                + " 1.500x (1,500 against 1,000 ops/s)",
            "  NOT MET  linearizable reads >= 2.0x etcd's (64 clients):"
                + " 1.999x (1,999 against 1,000 ops/s)",
            "  met      p99 no worse than etcd's at 64 clients:"
                + " puts 30.000 against 30.000 ms, linearizable gets 0.900 against 4.000 ms",
            "  NOT MET  one client's put latency no worse than etcd's:"
                + " p50 1.001 against 1.000 ms, p99 2.002 against 2.000 ms");
  }

  @Test
  void aRatioIsJudgedAsPrintedSoAVerdictNeverContradictsItsFigures() {
    List<RunResult> results =
        List.of(
            result(WRITES, "kv", 14_996, 30_000, Map.of()),
            result(WRITES, "etcd", 10_000, 30_000, Map.of()),
            result(READS, "kv", 19_994, 900, Map.of()),
            result(READS, "etcd", 10_000, 4_000, Map.of()));

    List<Goals.Goal> goals = Goals.of(results, "kv", "etcd").goals();

    assertThat(goals.get(0).measured()).startsWith("1.500x");
    assertThat(goals.get(0).met()).contains(true);
    assertThat(goals.get(1).measured()).startsWith("1.999x");
    assertThat(goals.get(1).met()).contains(false);
  }

  @Test
  void aGoalWhoseRunIsMissingIsUnknownNotMet() {
    Goals goals = Goals.of(RESULTS, "kv", "etcd");

    assertThat(goals.goals())
        .extracting(Goals.Goal::met)
        .containsExactly(
            Optional.of(false), Optional.of(true), Optional.of(false), Optional.empty());
    assertThat(goals.lines().get(4))
        .isEqualTo("  unknown  one client's put latency no worse than etcd's: no result for p50");
  }

  @Test
  void tableHasOneRowPerResultAndNamesErrorKinds() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ResultTable.print(RESULTS, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();

    assertThat(lines.get(0))
        .contains(
            "workload", "backend", "ops/s", "p50 ms", "p99 ms", "p999 ms", "errors", "cpu ms/op",
            "cs/op");
    // 10 s of server CPU and 170,000 context switches over 10,000 operations.
    assertThat(lines.get(1))
        .contains("64 clients, puts 256 B", "kv", "1000", "2.00")
        .endsWith(" 1.00      17.0");
    // Switches unknown (not Linux): "-"; not measured at all: "-" twice.
    assertThat(lines.get(2)).endsWith(" 0.25         -");
    assertThat(lines.get(3)).endsWith(" 4         -         -").contains("3000", "0.90");
    assertThat(lines)
        .hasSize(6)
        .last()
        .isEqualTo("errors of get-lin-c64 on kv: DEADLINE_EXCEEDED=1, UNAVAILABLE=3");
  }

  @Test
  void jsonReadsBackWithEveryFigure() throws Exception {
    Path file = dir.resolve("nested/results.json");
    JsonReport.write(
        file,
        Map.of("etcd", "3.4.23"),
        RESULTS,
        Optional.of(Ratios.of(RESULTS, "kv", "etcd")),
        Optional.of(Goals.of(RESULTS, "kv", "etcd")));

    JsonNode root = new ObjectMapper().readTree(file.toFile());

    assertThat(root.path("environment").path("etcd").asText()).isEqualTo("3.4.23");
    assertThat(root.path("results")).hasSize(4);
    JsonNode reads = root.path("results").get(2);
    assertThat(reads.path("workload").asText()).isEqualTo(ComparisonPlan.READS);
    assertThat(reads.path("backend").asText()).isEqualTo("kv");
    assertThat(reads.path("clients").asInt()).isEqualTo(64);
    assertThat(reads.path("readConsistency").asText()).isEqualTo("linearizable");
    assertThat(reads.path("valueSize").asInt()).isEqualTo(256);
    assertThat(reads.path("ops").asLong()).isEqualTo(30_000);
    assertThat(reads.path("opsPerSecond").asDouble()).isEqualTo(3000.0);
    assertThat(reads.path("measuredSeconds").asDouble()).isEqualTo(10.0);
    assertThat(reads.path("latencyMs").path("p99").asDouble()).isEqualTo(0.9);
    assertThat(reads.path("latencyMs").path("p50").asDouble()).isEqualTo(0.45);
    assertThat(reads.path("errors").asLong()).isEqualTo(4);
    assertThat(reads.path("errorsByKind").path("UNAVAILABLE").asLong()).isEqualTo(3);
    assertThat(reads.has("server")).isFalse();
    JsonNode writes = root.path("results").get(0).path("server");
    assertThat(writes.path("cpuSeconds").asDouble()).isEqualTo(10.0);
    assertThat(writes.path("cpuMillisPerOp").asDouble()).isEqualTo(1.0);
    assertThat(writes.path("voluntaryContextSwitches").asLong()).isEqualTo(150_000);
    assertThat(writes.path("involuntaryContextSwitches").asLong()).isEqualTo(20_000);
    assertThat(writes.path("contextSwitchesPerOp").asDouble()).isEqualTo(17.0);
    JsonNode etcdWrites = root.path("results").get(1).path("server");
    assertThat(etcdWrites.path("cpuMillisPerOp").asDouble()).isEqualTo(0.25);
    assertThat(etcdWrites.path("contextSwitchesPerOp").isNull()).isTrue();
    assertThat(root.path("ratios").path("writes").asDouble()).isEqualTo(0.5);
    assertThat(root.path("ratios").path("reads").asDouble()).isEqualTo(2.0);
    JsonNode goals = root.path("goals");
    assertThat(goals).hasSize(4);
    assertThat(goals.get(0).path("goal").asText()).startsWith("writes >= 1.5x");
    assertThat(goals.get(0).path("measured").asText()).startsWith("0.500x");
    assertThat(goals.get(0).path("met").asBoolean(true)).isFalse();
    assertThat(goals.get(1).path("met").asBoolean(false)).isTrue();
    assertThat(goals.get(3).path("met").isNull()).isTrue();
  }

  @Test
  void jsonWritesNullForAMissingRatio() throws Exception {
    Path file = dir.resolve("results.json");
    JsonReport.write(
        file,
        Map.of(),
        List.of(),
        Optional.of(new Ratios(OptionalDouble.empty(), OptionalDouble.of(1))),
        Optional.empty());

    JsonNode root = new ObjectMapper().readTree(file.toFile());

    assertThat(root.path("results")).isEmpty();
    assertThat(root.path("ratios").path("writes").isNull()).isTrue();
    assertThat(root.path("ratios").path("reads").asDouble()).isEqualTo(1.0);
    assertThat(root.has("goals")).isFalse();
  }

  @Test
  void svgIsWellFormedXmlWithABarPerResultAndEscapedLabels() throws Exception {
    Path file = dir.resolve("chart.svg");
    SvgBarChart.write(file, "kv & etcd <compared>", RESULTS);

    Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());

    assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
    // Background, 2 legend swatches, and 4 bars in each of the two panels.
    assertThat(svg.getElementsByTagName("rect").getLength()).isEqualTo(1 + 2 + 8);
    assertThat(Files.readString(file))
        .contains("kv &amp; etcd &lt;compared&gt;", "&lt;linearizable&gt;", "&quot;quoted&quot;");
  }

  @Test
  void svgOfNoResultsIsStillWellFormed() throws Exception {
    Path file = dir.resolve("empty.svg");
    SvgBarChart.write(file, "nothing", List.of());

    Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());

    assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
  }

  @Test
  void axisStepsAreOneTwoOrFiveTimesAPowerOfTen() {
    assertThat(SvgBarChart.niceStep(0)).isEqualTo(1);
    assertThat(SvgBarChart.niceStep(0.03)).isEqualTo(0.05, within(1e-12));
    assertThat(SvgBarChart.niceStep(130)).isEqualTo(200);
    assertThat(SvgBarChart.niceStep(700)).isEqualTo(1000);
    assertThat(SvgBarChart.niceStep(1000)).isEqualTo(1000);
  }

  @Test
  void labelsWrapAtSpaces() {
    assertThat(SvgBarChart.wrap("64 clients, 50% puts / 50% linearizable gets", 22))
        .containsExactly("64 clients, 50% puts /", "50% linearizable gets");
  }

  private static Workload workload(String name, String description) {
    return new Workload(
        name,
        description,
        64,
        name.startsWith("put") ? 1.0 : 0.0,
        ReadConsistency.LINEARIZABLE,
        10_000,
        256,
        Duration.ofSeconds(10),
        Duration.ofSeconds(2));
  }

  /** A result of 10 s with p50 = p99 / 2 and p999 = max = 2 x p99. */
  private static RunResult result(
      Workload workload,
      String backend,
      long opsPerSecond,
      long p99Micros,
      Map<String, Long> errors) {
    LatencySummary latency =
        new LatencySummary(
            opsPerSecond * 10,
            p99Micros / 3.0,
            p99Micros / 2,
            p99Micros,
            2 * p99Micros,
            2 * p99Micros);
    return new RunResult(workload, backend, 10.0, latency, new TreeMap<>(errors));
  }
}
