package dev.kv.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gRPC API works from another language with nothing but kv.proto: Python stubs are generated
 * from the proto and system-tests/src/test/python/kv_smoke.py checks the contract (put and get with
 * versions, exactly-once retries, create-if-absent, paged scans, delete, size limits).
 *
 * <p>It uses Debian's interpreter, /usr/bin/python3, with the packages python3-grpcio and
 * python3-grpc-tools (.ci/install-test-deps installs them); a python3 earlier on PATH, such as
 * pyenv's, usually lacks them. Without them the test is skipped, or fails when CI is set.
 */
@Order(1)
@ExtendWith(LocalClusterExtension.class)
class PythonClientIT {
  private static final String PYTHON = "/usr/bin/python3";
  private static final Duration STUB_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(180);

  @Test
  void pythonClientPassesTheContractChecks(LocalCluster cluster) throws IOException {
    requirePythonWithGrpc(cluster);
    Path repo = cluster.repoDir();
    Path stubs = Files.createDirectories(cluster.clusterDir().resolve("python-stubs"));

    ProcessResult protoc =
        cluster.run(
            STUB_TIMEOUT,
            List.of(
                PYTHON,
                "-E",
                "-m",
                "grpc_tools.protoc",
                "-I" + repo.resolve("kv-api/src/main/proto"),
                "--python_out=" + stubs,
                "--grpc_python_out=" + stubs,
                "kv/v1/kv.proto"));
    assertThat(protoc.exitCode()).as(protoc.describe()).isZero();

    ProcessResult smoke =
        cluster.run(
            SCRIPT_TIMEOUT,
            List.of(
                PYTHON,
                "-E",
                repo.resolve("system-tests/src/test/python/kv_smoke.py").toString(),
                "--stubs",
                stubs.toString(),
                "--endpoints",
                cluster.endpoints()));
    System.out.print(smoke.stdout() + smoke.stderr());
    assertThat(smoke.exitCode()).as(smoke.describe()).isZero();
  }

  /**
   * Skips the test (or fails it when CI is set) unless /usr/bin/python3 has grpc and grpc_tools.
   */
  private static void requirePythonWithGrpc(LocalCluster cluster) {
    boolean usable =
        Files.isExecutable(Path.of(PYTHON))
            && cluster
                .run(STUB_TIMEOUT, List.of(PYTHON, "-E", "-c", "import grpc, grpc_tools.protoc"))
                .succeeded();
    if (usable) {
      return;
    }
    String message =
        PYTHON
            + " cannot import grpc and grpc_tools (Debian packages python3-grpcio and"
            + " python3-grpc-tools): run .ci/install-test-deps as root to install them";
    String ci = System.getenv("CI");
    if (ci != null && !ci.isBlank()) {
      fail(message + " (CI is set, so this fails instead of skipping)");
    }
    System.out.println("SKIPPED: " + message);
    Assumptions.abort(message);
  }
}
