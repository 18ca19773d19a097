package dev.kv.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.client.KvClient;
import dev.kv.server.KvNode;
import dev.kv.server.TestCluster;
import com.google.protobuf.ByteString;
import dev.kv.api.v1.GetRequest;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrapes a running node's metrics endpoint over HTTP, as Prometheus would, while the node is a
 * member of a real in-JVM cluster that served requests: Ratis' own metrics, the group gauges,
 * request metrics, RocksDB statistics and JVM metrics all come out as well-formed Prometheus text.
 */
class MetricsEndpointTest {
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)");

  @TempDir static Path dir;
  private static TestCluster cluster;
  private static Scrape scrape;

  @BeforeAll
  static void scrapeANodeOfARunningCluster() throws Exception {
    cluster = TestCluster.startWithMetrics(dir, 3);
    KvNode node = cluster.node(0);
    try (KvClient client =
        KvClient.builder()
            .endpoints(List.of(node.config().apiAddress().toString()))
            .timeout(Duration.ofSeconds(30))
            .build()) {
      for (int i = 0; i < 10; i++) {
        client.put("greeting-" + i, "hello");
      }
    }
    // Raw stub on node 0 so the request metrics of that very node see a Get and a failure.
    var stub = cluster.stub(0);
    stub.get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("greeting-0")).build());
    try {
      stub.get(GetRequest.newBuilder().build()); // empty key: INVALID_ARGUMENT
    } catch (StatusRuntimeException expected) {
      // counted as an error
    }
    scrape = scrapeOf(node);
  }

  private static Scrape scrapeOf(KvNode node) throws Exception {
    int port = node.metricsPort().orElseThrow();
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    return Scrape.parse(response.body());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void ratisMetricsOfThisServerAreLabelledByServerAndGroup() {
    assertThat(scrape.types).containsEntry("ratis_log_worker_flushCount_total", "counter");
    assertThat(scrape.types).containsEntry("ratis_leader_election_electionCount_total", "counter");
    assertThat(scrape.types).containsEntry("ratis_state_machine_appliedIndex", "gauge");
    assertThat(scrape.types).containsEntry("ratis_log_worker_syncTime_seconds", "summary");
    List<String> flushCount = scrape.samples("ratis_log_worker_flushCount_total");
    assertThat(flushCount).hasSize(2); // the meta group and data-0
    assertThat(flushCount)
        .allSatisfy(
            sample ->
                assertThat(sample)
                    .contains("server=\"n1\"")
                    .containsPattern("group=\"group-[0-9A-F]+\""));
    // Only this node's: the other two servers of the cluster share the JVM's Ratis registries.
    assertThat(scrape.body).doesNotContain("server=\"n2\"").doesNotContain("server=\"n3\"");
  }

  /** The README's metric for the replication round trip, which only a leader has. */
  @Test
  void aLeaderReportsTheReplicationLatencyToEachFollower() throws Exception {
    KvNode leader = cluster.node(cluster.awaitLeader(TestCluster.DATA0));
    Scrape leaderScrape = scrapeOf(leader);
    assertThat(leaderScrape.types.keySet().stream()
            .filter(name -> name.matches("ratis_grpc_log_appender_.+_latency_seconds")))
        .as("appender latency families in %s", leaderScrape.types.keySet())
        .hasSizeGreaterThanOrEqualTo(2); // one per follower
  }

  @Test
  void groupGaugesReportEachGroupByName() {
    List<String> applied = scrape.samples("kv_group_applied_index");
    assertThat(applied).hasSize(2);
    assertThat(String.join("\n", applied))
        .contains("{group=\"meta\"}")
        .contains("{group=\"data-0\"}");
    for (String group : List.of("meta", "data-0")) {
      double appliedIndex = scrape.value(scrape.sample("kv_group_applied_index", group));
      assertThat(appliedIndex).isGreaterThan(0);
      // A replica applies only what it knows is committed (RatisGroupStatus reads applied first).
      assertThat(scrape.value(scrape.sample("kv_group_commit_index", group)))
          .isGreaterThanOrEqualTo(appliedIndex);
      assertThat(scrape.value(scrape.sample("kv_group_leader", group))).isIn(0.0, 1.0);
    }
  }

  @Test
  void requestsAreCountedByMethodAndErrorsByCode() {
    assertThat(scrape.samples("kv_request_duration_seconds_count"))
        .anySatisfy(s -> assertThat(s).contains("method=\"Get\""));
    assertThat(scrape.samples("kv_request_errors_total"))
        .anySatisfy(s -> assertThat(s).contains("method=\"Get\"").contains("INVALID_ARGUMENT"));
  }

  @Test
  void ratisWorkaroundsAreCountedFromZero() {
    for (String family : List.of("kv_ratis_workaround_stuck_follower_step_downs_total",
        "kv_ratis_workaround_failed_transfer_step_downs_total",
        "kv_ratis_workaround_read_index_fallbacks_total")) {
      assertThat(scrape.types).containsEntry(family, "counter");
      assertThat(scrape.samples(family)).hasSize(1);
    }
  }

  @Test
  void rocksDbStatisticsOfTheNodesStoresAreExported() {
    // The ten puts went through data-0, of which node 0 holds a replica; the meta group writes too.
    assertThat(scrape.value(scrape.samples("kv_rocksdb_number_keys_written").get(0)))
        .isGreaterThanOrEqualTo(10);
    assertThat(scrape.samples("kv_rocksdb_db_get_p99")).hasSize(1);
  }

  @Test
  void jvmMetricsAreExported() {
    assertThat(scrape.types).containsKeys("jvm_memory_used_bytes", "jvm_threads_current");
  }

  @Test
  void theTextIsWellFormed() {
    // Every sample belongs to a family declared once with # TYPE, before its samples.
    assertThat(scrape.problems).isEmpty();
    assertThat(scrape.sampleCount).isGreaterThan(100);
  }

  /** A Prometheus text-format page, parsed just enough to check it. */
  private static final class Scrape {
    final String body;
    final Map<String, String> types = new HashMap<>();
    final Map<String, List<String>> samplesByName = new HashMap<>();
    final List<String> problems = new ArrayList<>();
    int sampleCount;

    private Scrape(String body) {
      this.body = body;
    }

    static Scrape parse(String body) {
      Scrape scrape = new Scrape(body);
      Set<String> declared = new HashSet<>();
      for (String line : body.split("\n")) {
        if (line.startsWith("# TYPE ")) {
          String[] parts = line.split(" ");
          if (!declared.add(parts[2])) {
            scrape.problems.add("declared twice: " + line);
          }
          scrape.types.put(parts[2], parts[3]);
        } else if (line.startsWith("#") || line.isBlank()) {
          continue;
        } else {
          Matcher m = SAMPLE.matcher(line);
          if (!m.matches()) {
            scrape.problems.add("not a sample: " + line);
            continue;
          }
          String name = m.group(1);
          if (declared.stream().noneMatch(family -> belongsTo(name, family))) {
            scrape.problems.add("sample before (or without) its # TYPE: " + line);
          }
          scrape.samplesByName.computeIfAbsent(name, n -> new ArrayList<>()).add(line);
          scrape.sampleCount++;
        }
      }
      return scrape;
    }

    private static boolean belongsTo(String sample, String family) {
      return sample.equals(family)
          || (sample.startsWith(family + "_")
              && List.of("_total", "_count", "_sum", "_bucket", "_created", "_info")
                  .contains(sample.substring(family.length())));
    }

    List<String> samples(String name) {
      return samplesByName.getOrDefault(name, List.of());
    }

    String sample(String name, String group) {
      return samples(name).stream()
          .filter(s -> s.contains("group=\"" + group + "\""))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + name + " for group " + group));
    }

    double value(String sample) {
      return Double.parseDouble(sample.substring(sample.lastIndexOf(' ') + 1));
    }
  }
}
