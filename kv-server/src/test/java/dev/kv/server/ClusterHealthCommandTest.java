package dev.kv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonParser;
import dev.kv.client.cli.Kvctl;
import dev.kv.server.config.ClusterSettings;
import dev.kv.server.config.RaftLogSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kvctl cluster health} against a real cluster: healthy, then without a quorum. */
class ClusterHealthCommandTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Run kvctl(String endpoints, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 2];
    all[0] = "--endpoints";
    all[1] = endpoints;
    System.arraycopy(args, 0, all, 2, args.length);
    int code = new picocli.CommandLine(new Kvctl())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(all);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void healthyClusterExitsZeroAndOneThatLostAQuorumExitsOneNamingTheRule() {
    ClusterSettings twoGroups = new ClusterSettings(2, 3, Duration.ofMinutes(5));
    try (TestCluster cluster = TestCluster.start(dir, 3, RaftLogSettings.DEFAULTS, twoGroups)) {
      String endpoints = String.join(",", cluster.endpoints());
      // The controller settles a new cluster in steps; health is the verdict once it has.
      Run healthy = await("cluster health to report healthy")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> kvctl(endpoints, "cluster", "health"), run -> run.code() == 0);
      assertThat(healthy.out())
          .startsWith("cluster health: HEALTHY")
          .contains("data-0", "data-1", "meta", "settled")
          .containsPattern("group +data-1 +ok +leader n[123]; 3/3 replicas up");
      assertThat(healthy.err()).isEmpty();

      Run json = kvctl(endpoints, "cluster", "health", "-o", "json");
      assertThat(json.code()).as(json.err()).isZero();
      var report = JsonParser.parseString(json.out()).getAsJsonObject();
      assertThat(report.get("healthy").getAsBoolean()).isTrue();
      assertThat(report.getAsJsonArray("checks")).hasSize(3 + 3 + 1);
      assertThat(report.getAsJsonArray("problems")).isEmpty();

      cluster.stop(1);
      cluster.stop(2);

      Run lost = kvctl(endpoints, "cluster", "health");
      assertThat(lost.code()).isEqualTo(1);
      assertThat(lost.out()).startsWith("cluster health: UNHEALTHY");
      assertThat(lost.err())
          .contains("kvctl: unhealthy: node n2: unreachable", "kvctl: unhealthy: node n3: unreachable")
          .containsPattern("kvctl: unhealthy: group data-0: .*1/3 replicas up.*"
              + "fewer than a quorum of replicas are up and caught up")
          .containsPattern("kvctl: unhealthy: group data-1: .*fewer than a quorum");
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }

  @Test
  void noNodeAnsweringExitsThree() {
    Run run = kvctl("127.0.0.1:" + TestCluster.freePort(), "--timeout", "2s", "cluster", "health");

    assertThat(run.code()).isEqualTo(3);
    assertThat(run.err()).startsWith("kvctl: UNAVAILABLE");
  }
}
