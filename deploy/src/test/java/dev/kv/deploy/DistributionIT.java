package dev.kv.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kv.api.testing.LoopbackPorts;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The distribution the Dockerfile copies (target/kvd/lib) is complete: kvd starts from it alone,
 * with the image's command line, and answers the gRPC health check the Kubernetes probes use.
 */
class DistributionIT {
  private static final Path DISTRIBUTION = Path.of(System.getProperty("kv.distribution.dir"));
  private static final Path WORK = Path.of(System.getProperty("kv.work.dir"));

  @Test
  void holdsNoTestOnlyJars() throws IOException {
    try (Stream<Path> jars = Files.list(DISTRIBUTION.resolve("lib"))) {
      List<String> names = jars.map(p -> p.getFileName().toString()).toList();
      assertThat(names).anyMatch(n -> n.startsWith("kv-server"));
      assertThat(names)
          .noneMatch(
              n ->
                  n.startsWith("junit")
                      || n.startsWith("assertj")
                      || n.startsWith("kubernetes-model")
                      || n.startsWith("jackson-dataformat-yaml"));
    }
  }

  @Test
  void kvdStartsFromTheDistributionAndAnswersTheHealthCheck() throws Exception {
    int raftPort = LoopbackPorts.free();
    int apiPort = LoopbackPorts.free();
    Path dir = Files.createDirectories(WORK.resolve("node-" + apiPort));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder =
        new ProcessBuilder(
                java.toString(),
                "-Xmx256m",
                "-cp",
                DISTRIBUTION.resolve("lib") + "/*",
                "dev.kv.server.Kvd",
                "--node-id",
                "n1",
                "--raft-address",
                "127.0.0.1:" + raftPort,
                "--api-address",
                "127.0.0.1:" + apiPort,
                "--peers",
                "n1=127.0.0.1:" + raftPort,
                "--data-dir",
                dir.resolve("data").toString())
            .directory(dir.toFile())
            .redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("KV_"));
    // As the ConfigMap sets it: the JSON encoder and its Jackson must be in the distribution.
    builder.environment().put("KV_LOG_FORMAT", "json");
    Process kvd = builder.start();
    StringBuilder output = new StringBuilder();
    CompletableFuture<Void> serving = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(kvd.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  synchronized (output) {
                    output.append(line).append('\n');
                  }
                  if (line.startsWith("kvd n1 serving on")) {
                    serving.complete(null);
                  }
                }
                serving.completeExceptionally(new IOException("kvd's output ended"));
              } catch (IOException e) {
                serving.completeExceptionally(e);
              }
            },
            "kvd-output");
    reader.setDaemon(true);
    reader.start();
    ManagedChannel channel = null;
    try {
      try {
        serving.get(120, TimeUnit.SECONDS);
      } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
        fail("kvd from the distribution did not start serving: " + e + "\n" + output(output));
      }
      channel = ManagedChannelBuilder.forAddress("127.0.0.1", apiPort).usePlaintext().build();
      var health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
      assertThat(
              health
                  .check(HealthCheckRequest.newBuilder().setService("kv.v1.KV").build())
                  .getStatus())
          .isEqualTo(ServingStatus.SERVING);
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      // SIGTERM, as Kubernetes sends. (Process.destroy would also close our end of kvd's output
      // and lose what it logs while it stops.)
      kvd.toHandle().destroy();
      if (!kvd.waitFor(60, TimeUnit.SECONDS)) {
        kvd.destroyForcibly();
        fail("kvd did not stop within 60 s of SIGTERM\n" + output(output));
      }
    }
    reader.join(TimeUnit.SECONDS.toMillis(30));
    // 143 = 128 + SIGTERM: the JVM ran its shutdown hooks (kvd's graceful stop) and exited.
    assertThat(kvd.exitValue()).as(output(output)).isEqualTo(143);
    // Every log line is JSON (the JVM itself may add plain lines, such as "Picked up ...").
    List<JsonNode> logLines = new ArrayList<>();
    for (String line : output(output).split("\n")) {
      assertThat(line)
          .as("a log line in text format")
          .doesNotMatch("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*");
      if (line.startsWith("{")) {
        logLines.add(new ObjectMapper().readTree(line));
      }
    }
    assertThat(logLines)
        .extracting(line -> line.get("message").asText())
        .contains("n1: stopping", "n1: stopped");
  }

  private static String output(StringBuilder output) {
    synchronized (output) {
      return output.toString();
    }
  }

}
