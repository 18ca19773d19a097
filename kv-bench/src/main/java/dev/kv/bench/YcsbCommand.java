package dev.kv.bench;

import dev.kv.bench.ycsb.KvYcsbClient;
import dev.kv.bench.ycsb.YcsbDriver;
import dev.kv.client.ReadConsistency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import site.ycsb.Client;

/**
 * {@code kv-bench ycsb}: a YCSB core workload (A-F) against a running kv cluster, through {@link
 * KvYcsbClient}, with YCSB's own driver run in this JVM ({@link YcsbDriver}).
 */
@Command(
    name = "ycsb",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a YCSB core workload (a-f) against a running kv cluster: the load phase, then the"
          + " transaction phase, each followed by YCSB's summary.",
      "Workload e's scans are hash-ordered (kv has no key order): not comparable with"
          + " key-ordered stores."
    })
final class YcsbCommand implements Callable<Integer> {
  enum Phases {
    BOTH,
    LOAD,
    RUN
  }

  @Option(
      names = "--workload",
      required = true,
      paramLabel = "a|b|c|d|e|f",
      description = "The YCSB core workload.")
  String workload;

  @Option(
      names = "--endpoints",
      split = ",",
      paramLabel = "HOST:PORT",
      description = "kv API endpoints, comma-separated. Default: 127.0.0.1:7001-7003.")
  List<String> endpoints;

  @Option(
      names = "--record-count",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Records loaded, and the key space of the run. Default: ${DEFAULT-VALUE}.")
  int recordCount;

  @Option(
      names = "--operation-count",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Operations of the transaction phase. Default: ${DEFAULT-VALUE}.")
  int operationCount;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "16",
      description = "YCSB client threads. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(
      names = "--read-consistency",
      defaultValue = "linearizable",
      paramLabel = "linearizable|serializable",
      description = "Consistency of reads and scans. Default: ${DEFAULT-VALUE}.")
  ReadConsistency readConsistency;

  @Option(
      names = "--load",
      description = "Run only the load phase (as YCSB's -load).")
  boolean loadOnly;

  @Option(
      names = "--skip-load",
      description = "Run only the transaction phase, on records loaded before (as YCSB's -t).")
  boolean skipLoad;

  @Option(
      names = {"-p", "--property"},
      paramLabel = "NAME=VALUE",
      description = "Any other YCSB or binding property; overrides the workload file.")
  Map<String, String> properties = Map.of();

  @Override
  public Integer call() throws Exception {
    if (loadOnly && skipLoad) {
      throw new IllegalArgumentException("--load and --skip-load exclude each other");
    }
    Properties props = properties();
    YcsbDriver driver = new YcsbDriver(System.out, System.err);
    if (!skipLoad) {
      System.out.println("# YCSB workload " + workload + ": load phase");
      driver.run(props, false);
    }
    if (!loadOnly) {
      System.out.println("# YCSB workload " + workload + ": transaction phase");
      driver.run(props, true);
    }
    return 0;
  }

  Properties properties() throws Exception {
    String letter = workload.trim().toLowerCase(Locale.ROOT);
    if (!letter.matches("[a-f]")) {
      throw new IllegalArgumentException("--workload is '" + workload + "'; it must be a..f");
    }
    Properties props = YcsbDriver.workload(letter);
    props.setProperty(Client.DB_PROPERTY, KvYcsbClient.class.getName());
    props.setProperty(Client.RECORD_COUNT_PROPERTY, Integer.toString(recordCount));
    props.setProperty(Client.OPERATION_COUNT_PROPERTY, Integer.toString(operationCount));
    props.setProperty(Client.THREAD_COUNT_PROPERTY, Integer.toString(threads));
    props.setProperty(
        KvYcsbClient.READ_CONSISTENCY_PROPERTY, readConsistency.name().toLowerCase(Locale.ROOT));
    if (endpoints != null) {
      props.setProperty(KvYcsbClient.ENDPOINTS_PROPERTY, String.join(",", endpoints));
    }
    props.putAll(properties);
    return props;
  }
}
