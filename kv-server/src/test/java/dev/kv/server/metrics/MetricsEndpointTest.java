package dev.kv.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.client.KvClient;
import dev.kv.server.KvNode;
import dev.kv.server.TestCluster;
import dev.kv.server.config.HostPort;
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
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.Statistics;

/**
 * Scrapes a node's metrics endpoint over HTTP, as Prometheus would, while the node is a member of a
 * real in-JVM cluster: Ratis' own metrics, the group gauges, RocksDB statistics and JVM metrics all
 * come out as well-formed Prometheus text.
 */
class MetricsEndpointTest {
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)");

  @TempDir static Path dir;
  private static TestCluster cluster;
  private static Statistics statistics;
  private static RocksDB rocks;
  private static MetricsHttpServer http;
  private static Scrape scrape;

  @BeforeAll
  static void scrapeANodeOfARunningCluster() throws Exception {
    cluster = TestCluster.start(dir.resolve("cluster"), 3);
    KvNode node = cluster.node(0);
    try (KvClient client =
        KvClient.builder()
            .endpoints(List.of(node.config().apiAddress().toString()))
            .timeout(Duration.ofSeconds(30))
            .build()) {
      client.put("greeting", "hello");
    }

    // A store with statistics of its own: TestCluster's stores are not given any.
    statistics = new Statistics();
    try (Options options = new Options().setCreateIfMissing(true).setStatistics(statistics)) {
      rocks = RocksDB.open(options, dir.resolve("rocks").toString());
    }
    for (int i = 0; i < 10; i++) {
      rocks.put(("k" + i).getBytes(), "v".getBytes());
      rocks.get(("k" + i).getBytes());
    }

    NodeMetrics metrics = new NodeMetrics(node.config().nodeId().value());
    metrics.addGroups(new RatisGroupStatus(node.raft().server()));
    metrics.addRocksDbStatistics(statistics);
    metrics.dropwizard().counter("kv.test.events").inc(5);
    http = MetricsHttpServer.start(new HostPort("127.0.0.1", 0), metrics.prometheus());

    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/metrics"))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    scrape = Scrape.parse(response.body());
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.close();
    }
    if (rocks != null) {
      rocks.close();
    }
    if (statistics != null) {
      statistics.close();
    }
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
    assertThat(flushCount).hasSize(1);
    assertThat(flushCount.get(0))
        .contains("server=\"n1\"")
        .containsPattern("group=\"group-[0-9A-F]+\"");
    // Only this node's: the other two servers of the cluster share the JVM's Ratis registries.
    assertThat(scrape.body).doesNotContain("server=\"n2\"").doesNotContain("server=\"n3\"");
  }

  @Test
  void groupGaugesReportTheDataGroup() {
    List<String> applied = scrape.samples("kv_group_applied_index");
    assertThat(applied).hasSize(1);
    assertThat(applied.get(0)).containsPattern("\\{group=\"group-[0-9A-F]+\"} ");
    assertThat(scrape.value(applied.get(0))).isGreaterThanOrEqualTo(0);
    // A replica applies only what it knows is committed (RatisGroupStatus reads applied first).
    assertThat(scrape.value(scrape.samples("kv_group_commit_index").get(0)))
        .isGreaterThanOrEqualTo(scrape.value(applied.get(0)));
    assertThat(scrape.value(scrape.samples("kv_group_leader").get(0))).isIn(0.0, 1.0);
  }

  @Test
  void rocksDbStatisticsAndDropwizardMetricsAreExported() {
    assertThat(scrape.value(scrape.samples("kv_rocksdb_number_keys_written").get(0))).isEqualTo(10);
    assertThat(scrape.value(scrape.samples("kv_rocksdb_number_keys_read").get(0))).isEqualTo(10);
    assertThat(scrape.samples("kv_rocksdb_db_get_p99")).hasSize(1);
    assertThat(scrape.value(scrape.samples("kv_test_events_total").get(0))).isEqualTo(5);
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

    double value(String sample) {
      return Double.parseDouble(sample.substring(sample.lastIndexOf(' ') + 1));
    }
  }
}
