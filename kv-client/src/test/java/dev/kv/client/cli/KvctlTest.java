package dev.kv.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.ScanRequest;
import dev.kv.client.testing.FakeKvServer;
import dev.kv.client.testing.Fault;
import io.grpc.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** kvctl's parsing, output and exit codes, against the in-process fake server. */
class KvctlTest {
  private final FakeKvServer server = FakeKvServer.start();
  private final List<List<String>> connectedTo = new ArrayList<>();
  private final List<Duration> timeouts = new ArrayList<>();
  private Map<String, String> environment = Map.of("KV_ENDPOINTS", server.endpoint());

  private String out;
  private String err;

  @AfterEach
  void tearDown() {
    server.close();
  }

  @Test
  void putPrintsTheNewVersion() {
    assertThat(run("put", "k", "v1")).isZero();
    assertThat(out).isEqualTo("version 1\n");
    assertThat(run("put", "k", "v2")).isZero();
    assertThat(out).isEqualTo("version 2\n");
  }

  @Test
  void getPrintsTheValue() {
    run("put", "ключ", "значение\twith tab");

    assertThat(run("get", "ключ")).isZero();
    assertThat(out).isEqualTo("значение\twith tab\n");
    assertThat(run("get", "--show-version", "ключ")).isZero();
    assertThat(out).isEqualTo("1\tзначение\twith tab\n");
  }

  @Test
  void getOfAnAbsentKeyExitsWithOne() {
    assertThat(run("get", "missing")).isEqualTo(1);
    assertThat(out).isEmpty();
    assertThat(err).isEqualTo("key not found: missing\n");
  }

  @Test
  void getSerializableAsksForIt() {
    run("get", "--serializable", "k");
    run("get", "k");

    assertThat(server.requests())
        .map(r -> ((GetRequest) r).getConsistency().name())
        .containsExactly("SERIALIZABLE", "LINEARIZABLE");
  }

  @Test
  void conditionalPutReportsAFailedCondition() {
    run("put", "k", "v1");

    assertThat(run("put", "--if-absent", "k", "v2")).isEqualTo(1);
    assertThat(err).isEqualTo("condition failed; current version 1\n");
    assertThat(run("put", "--if-version", "2", "k", "v2")).isEqualTo(1);
    assertThat(err).isEqualTo("condition failed; current version 1\n");
    assertThat(run("put", "--if-version", "1", "k", "v2")).isZero();
    assertThat(out).isEqualTo("version 2\n");
    assertThat(run("put", "--if-absent", "new", "v")).isZero();
    assertThat(out).isEqualTo("version 1\n");
  }

  @Test
  void deletePrintsWhetherTheKeyExisted() {
    run("put", "k", "v");

    assertThat(run("delete", "k")).isZero();
    assertThat(out).isEqualTo("deleted\n");
    assertThat(run("delete", "k")).isZero();
    assertThat(out).isEqualTo("not found\n");
  }

  @Test
  void conditionalDelete() {
    run("put", "k", "v");

    assertThat(run("delete", "--if-version", "7", "k")).isEqualTo(1);
    assertThat(err).isEqualTo("condition failed; current version 1\n");
    assertThat(run("delete", "--if-version", "1", "k")).isZero();
    assertThat(out).isEqualTo("deleted\n");
    assertThat(server.version("k")).isZero();
  }

  @Test
  void scanPagesThroughEverything() {
    for (int i = 0; i < 5; i++) {
      run("put", "key" + i, "value" + i);
    }

    assertThat(run("scan", "--page-size", "2")).isZero();
    assertThat(out)
        .isEqualTo("key0\tvalue0\nkey1\tvalue1\nkey2\tvalue2\nkey3\tvalue3\nkey4\tvalue4\n");
    assertThat(server.requests().stream().filter(ScanRequest.class::isInstance)).hasSize(3);
  }

  @Test
  void scanOptions() {
    for (int i = 0; i < 5; i++) {
      run("put", "a" + i, "v");
    }
    run("put", "b", "v");

    assertThat(run("scan", "--prefix", "a", "--keys-only", "--limit", "3")).isZero();
    assertThat(out).isEqualTo("a0\na1\na2\n");
    assertThat(run("scan", "--prefix", "b", "--serializable")).isZero();
    assertThat(out).isEqualTo("b\tv\n");
  }

  @Test
  void serverErrorsExitWithThreeAndNameTheStatus() {
    server.always(Fault.respond(Status.UNAVAILABLE.withDescription("no quorum")));

    assertThat(run("--timeout", "200ms", "get", "k")).isEqualTo(3);
    assertThat(err).startsWith("kvctl: UNAVAILABLE: ").contains("no quorum");
    assertThat(run("--timeout", "200ms", "put", "k", "v")).isEqualTo(3);
    assertThat(err).startsWith("kvctl: UNAVAILABLE: ");
  }

  @Test
  void unknownOutcomeExitsWithThreeAndSaysSo() {
    server.always(Fault.respond(Status.DEADLINE_EXCEEDED.withDescription("commit timed out")));

    assertThat(run("--timeout", "200ms", "put", "k", "v")).isEqualTo(3);
    assertThat(err).startsWith("kvctl: outcome unknown (DEADLINE_EXCEEDED): ");
  }

  @Test
  void unreachableClusterExitsWithThree() {
    environment = Map.of("KV_ENDPOINTS", FakeKvServer.unusedEndpoint());

    assertThat(run("--timeout", "200ms", "get", "k")).isEqualTo(3);
    assertThat(err).startsWith("kvctl: UNAVAILABLE: ");
  }

  @Test
  void argumentsOverTheLimitAreUsageErrors() {
    assertThat(run("get", "k".repeat(4097))).isEqualTo(2);
    assertThat(err).isEqualTo("kvctl: invalid argument: key is 4097 bytes; the limit is 4096\n");
    assertThat(run("scan", "--page-size", "5000")).isEqualTo(2);
    assertThat(err).contains("scan limit is 5000");
    assertThat(server.requestCount()).isZero();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "get",
        "put k",
        "put --if-version 1 --if-absent k v",
        "put --if-version 0 k v",
        "put --if-version x k v",
        "delete --if-version 0 k",
        "scan --limit 0",
        "get --bogus k",
        "frobnicate",
        "--timeout 0s get k",
        "--timeout soon get k",
        "--endpoints nonsense get k"
      })
  void usageErrorsExitWithTwo(String commandLine) {
    String[] args = commandLine.isEmpty() ? new String[0] : commandLine.split(" ");

    assertThat(run(args)).isEqualTo(2);
    assertThat(err).startsWith("kvctl: ").contains("--help");
    assertThat(server.requestCount()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "get", "put", "delete", "scan"})
  void everyCommandHasHelp(String command) {
    String[] args = command.isEmpty() ? new String[] {"--help"} : new String[] {command, "--help"};

    assertThat(run(args)).isZero();
    assertThat(out).startsWith("Usage: kvctl" + (command.isEmpty() ? "" : " " + command));
    assertThat(out).contains("Exit codes:", "--endpoints", "--timeout");
  }

  @Test
  void endpointsComeFromTheOptionThenTheEnvironmentThenTheDefault() {
    run("--endpoints", server.endpoint() + "," + FakeKvServer.unusedEndpoint(), "get", "k");
    environment = Map.of("KV_ENDPOINTS", " " + server.endpoint() + " ,");
    run("get", "k");
    environment = Map.of();
    String[] args = {"--timeout", "50ms", "get", "k"};
    run(args);

    assertThat(connectedTo.get(0)).hasSize(2).startsWith(server.endpoint());
    assertThat(connectedTo.get(1)).containsExactly(server.endpoint());
    assertThat(connectedTo.get(2))
        .containsExactly("127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003");
  }

  @Test
  void globalOptionsMayFollowTheCommand() {
    environment = Map.of();

    assertThat(run("get", "k", "--endpoints", server.endpoint(), "--timeout", "1500ms"))
        .isEqualTo(1);
    assertThat(connectedTo).containsExactly(List.of(server.endpoint()));
    assertThat(timeouts).containsExactly(Duration.ofMillis(1500));
  }

  @Test
  void timeoutDefaultsToTenSeconds() {
    run("get", "k");

    assertThat(timeouts).containsExactly(Duration.ofSeconds(10));
  }

  private int run(String... args) {
    StringWriter outText = new StringWriter();
    StringWriter errText = new StringWriter();
    ClientFactory factory =
        (endpoints, timeout) -> {
          connectedTo.add(endpoints);
          timeouts.add(timeout);
          // Recorded before building, so an endpoint list the builder rejects is still seen.
          return FakeKvServer.clientFor(endpoints.toArray(String[]::new)).timeout(timeout).build();
        };
    Map<String, String> env = environment;
    int exitCode =
        new Kvctl(factory, env::get)
            .execute(args, new PrintWriter(outText, true), new PrintWriter(errText, true));
    out = outText.toString();
    err = errText.toString();
    return exitCode;
  }
}
