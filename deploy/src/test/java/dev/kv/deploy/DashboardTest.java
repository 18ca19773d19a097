package dev.kv.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.kv.api.Limits;
import dev.kv.api.testing.LoopbackPorts;
import dev.kv.api.placement.NodeId;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.KVGrpc;
import dev.kv.api.v1.PutRequest;
import dev.kv.api.v1.ScanRequest;
import dev.kv.server.KvNode;
import dev.kv.server.config.ClusterSettings;
import dev.kv.server.config.HostPort;
import dev.kv.server.config.NodeConfig;
import dev.kv.server.config.Peer;
import dev.kv.server.config.RaftLogSettings;
import dev.kv.server.config.RaftTiming;
import dev.kv.statemachine.apply.ApplyConfig;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard in {@code grafana/kv-dashboard.json} queries metrics that exist: every
 * metric name in every PromQL expression appears in a real scrape of a running node that served
 * requests (and failed one).
 */
class DashboardTest {
  private static final Path DASHBOARD =
      Path.of(System.getProperty("kv.deploy.dir", ".")).resolve("grafana/kv-dashboard.json");
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

  @TempDir static Path dir;
  private static KvNode node;
  private static ManagedChannel channel;
  private static final List<String> fatalErrors = new CopyOnWriteArrayList<>();
  private static Set<String> scraped;
  private static JsonNode dashboard;

  @BeforeAll
  static void scrapeANodeThatServedRequests() throws Exception {
    HostPort raft = new HostPort("127.0.0.1", LoopbackPorts.free());
    NodeId id = new NodeId("n1");
    NodeConfig config = new NodeConfig(id, raft, new HostPort("127.0.0.1", LoopbackPorts.free()),
        List.of(new Peer(id, raft)), dir.resolve("n1"), Limits.DEFAULTS, RaftTiming.DEFAULTS,
        Duration.ofSeconds(10), RaftLogSettings.DEFAULTS, ApplyConfig.DEFAULTS,
        new ClusterSettings(2, 1, Duration.ofMinutes(5)), List.of(), null,
        new HostPort("127.0.0.1", 0));
    node = KvNode.start(config, (what, cause) -> fatalErrors.add(what + ": " + cause));
    channel = ManagedChannelBuilder.forTarget(config.apiAddress().toString()).usePlaintext().build();
    KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
    // A new node serves a key once it has created the key's group and that group has applied
    // its ranges; groups get there one by one, so until then some writes are refused
    // (UNAVAILABLE). Twenty keys land in both groups, so once all are written every group serves.
    await("every group to accept writes")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .ignoreException(StatusRuntimeException.class)
        .until(() -> {
          for (int i = 0; i < 20; i++) {
            put(kv, "key-" + i);
          }
          return true;
        });
    for (int i = 0; i < 20; i++) {
      kv.withDeadlineAfter(30, TimeUnit.SECONDS)
          .get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("key-" + i)).build());
    }
    kv.withDeadlineAfter(30, TimeUnit.SECONDS).scan(ScanRequest.newBuilder().setLimit(10).build());
    try {
      kv.withDeadlineAfter(30, TimeUnit.SECONDS).get(GetRequest.getDefaultInstance());
    } catch (StatusRuntimeException expected) {
      // An empty key: counted in kv_request_errors_total.
    }
    HttpResponse<String> scrape = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.metricsPort().orElseThrow() + "/metrics"))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(scrape.statusCode()).isEqualTo(200);
    // For whoever edits the dashboard: the names a node exports, as this test saw them.
    java.nio.file.Files.writeString(
        Path.of(System.getProperty("kv.deploy.dir", ".")).resolve("target/dashboard-scrape.txt"),
        scrape.body());
    scraped = new TreeSet<>();
    for (String line : scrape.body().split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!line.startsWith("#") && m.find()) {
        scraped.add(m.group(1));
      }
    }
    dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
  }

  private static long put(KVGrpc.KVBlockingStub kv, String key) {
    return kv.withDeadlineAfter(30, TimeUnit.SECONDS)
        .put(PutRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8(key))
            .setValue(ByteString.copyFromUtf8("value"))
            .build())
        .getVersion();
  }

  @AfterAll
  static void stop() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (node != null) {
      node.close();
    }
    assertThat(fatalErrors).isEmpty();
  }

  /** Every panel, rows' nested panels included. */
  private static List<JsonNode> panels() {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      all.add(panel);
      panel.path("panels").forEach(all::add);
    }
    return all;
  }

  private static List<String> expressions() {
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : panels()) {
      panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
    }
    return exprs;
  }

  @Test
  void everyMetricNameInEveryExpressionIsInARealScrape() {
    assertThat(expressions()).hasSizeGreaterThanOrEqualTo(15);
    List<String> missing = new ArrayList<>();
    for (String expr : expressions()) {
      Set<String> names = PromQl.metricNames(expr);
      assertThat(names).as("metric names in %s", expr).isNotEmpty();
      for (String name : names) {
        if (!scraped.contains(name)) {
          missing.add(name + " (in " + expr + ")");
        }
      }
    }
    assertThat(missing).as("metric names that a scrape of a running node does not have;"
        + " it has %s", scraped).isEmpty();
  }

  @Test
  void theDashboardCoversWhatTheReadmeSaysToWatch() {
    String all = String.join("\n", expressions());
    assertThat(all).contains(
        "kv_request_duration_seconds_bucket", "kv_request_errors_total", "kv_group_leader",
        "kv_group_commit_index", "kv_group_applied_index",
        "ratis_leader_election_electionCount_total", "ratis_log_worker_syncTime_seconds",
        "kv_rocksdb_stall_micros", "kv_rocksdb_block_cache_miss", "jvm_memory_used_bytes",
        "jvm_gc_collection_seconds");
    assertThat(all).contains("histogram_quantile(0.5", "histogram_quantile(0.99");
  }

  @Test
  void panelsAreWellFormedAndQueryTheSelectedDataSource() {
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : panels()) {
      assertThat(panel.path("title").asText()).as("a panel's title").isNotBlank();
      assertThat(ids.add(panel.path("id").asInt())).as("panel id %s is unique", panel.path("id"))
          .isTrue();
      if (!panel.path("type").asText().equals("row")) {
        assertThat(panel.path("datasource").path("uid").asText())
            .as("data source of %s", panel.path("title")).isEqualTo("${datasource}");
        assertThat(panel.path("targets")).as("queries of %s", panel.path("title")).isNotEmpty();
      }
    }
    assertThat(dashboard.path("uid").asText()).isNotBlank();
    assertThat(dashboard.path("templating").path("list").get(0).path("type").asText())
        .isEqualTo("datasource");
  }

  @Test
  void theExpressionParserFindsMetricNamesOnly() {
    assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le, method) "
        + "(rate(kv_request_duration_seconds_bucket{job=~\"$job\", method!=\"x\"}[$__rate_interval])))"))
        .containsExactly("kv_request_duration_seconds_bucket");
    assertThat(PromQl.metricNames("sum without (instance) (a_total offset 5m) / on(group)"
        + " group_left(node) b_info and c{le=\"+Inf\"} > bool 1e3"))
        .containsExactlyInAnyOrder("a_total", "b_info", "c");
  }

}
