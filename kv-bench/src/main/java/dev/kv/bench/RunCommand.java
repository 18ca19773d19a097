package dev.kv.bench;

import dev.kv.client.ReadConsistency;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kv-bench run}: one workload against one running store; prints a table, writes JSON. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Runs one closed-loop workload against a running kv or etcd cluster.")
final class RunCommand implements Callable<Integer> {

  @Option(
      names = "--backend",
      required = true,
      paramLabel = "kv|etcd",
      description = "The store to drive.")
  BackendKind backend;

  @Option(
      names = "--endpoints",
      split = ",",
      paramLabel = "HOST:PORT",
      description =
          "Client endpoints, comma-separated. Default: 127.0.0.1:7001-7003 for kv (bin/kv-local),"
              + " 127.0.0.1:2379 for etcd.")
  List<String> endpoints;

  @Option(
      names = "--clients",
      paramLabel = "N",
      defaultValue = "64",
      description =
          "Concurrent clients, each with one request in flight. Default: ${DEFAULT-VALUE}.")
  int clients;

  @Option(
      names = "--write-fraction",
      paramLabel = "FRACTION",
      defaultValue = "1.0",
      description = "Share of puts, 0 to 1; the rest are gets. Default: ${DEFAULT-VALUE}.")
  double writeFraction;

  @Option(
      names = "--read-consistency",
      defaultValue = "linearizable",
      paramLabel = "linearizable|serializable",
      description = "Consistency of the gets. Default: ${DEFAULT-VALUE}.")
  ReadConsistency readConsistency;

  @Option(
      names = "--keys",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Keys bench-0 .. bench-(N-1), picked uniformly. Default: ${DEFAULT-VALUE}.")
  int keys;

  @Option(
      names = "--value-size",
      defaultValue = "256",
      paramLabel = "BYTES",
      description = "Bytes per value (random). Default: ${DEFAULT-VALUE}.")
  int valueSize;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "Measured time, after the warm-up. Default: ${DEFAULT-VALUE}.")
  Duration duration;

  @Option(
      names = "--warmup",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "Time run first and excluded from the figures. Default: ${DEFAULT-VALUE}.")
  Duration warmup;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON.")
  Path json;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "42",
      description = "Seed of the operation sequence. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Override
  public Integer call() throws Exception {
    String name = backend.name().toLowerCase(Locale.ROOT);
    Workload workload =
        new Workload(
            "custom",
            clients + (clients == 1 ? " client" : " clients") + ", " + mix(),
            clients,
            writeFraction,
            readConsistency,
            keys,
            valueSize,
            duration,
            warmup);
    List<String> targets = endpoints != null ? endpoints : backend.defaultEndpoints();
    RunResult result;
    try (Backend store = backend.connect(targets)) {
      result = new WorkloadRunner(seed, System.err).run(store, workload);
    }
    ResultTable.print(List.of(result), System.out);
    if (json != null) {
      JsonReport.write(
          json,
          Environment.describe(Map.of("backend", name, "endpoints", String.join(",", targets))),
          List.of(result),
          Optional.empty(),
          Optional.empty());
      System.out.println("results: " + json.toAbsolutePath());
    }
    return 0;
  }

  private String mix() {
    String reads = readConsistency.name().toLowerCase(Locale.ROOT) + " gets";
    if (writeFraction >= 1) {
      return "puts " + valueSize + " B";
    }
    if (writeFraction <= 0) {
      return reads;
    }
    return Math.round(writeFraction * 100) + "% puts / " + reads;
  }
}
