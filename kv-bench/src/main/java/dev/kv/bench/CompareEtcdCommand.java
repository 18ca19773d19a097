package dev.kv.bench;

import java.io.File;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kv-bench compare-etcd}: starts a three-member etcd and a three-node kv cluster on this
 * machine, runs the {@link ComparisonPlan} workloads against both in one run, alternating which
 * store goes first from one workload to the next (so neither always runs on a warmer machine), and
 * reports: a table on stdout, results.json and chart.svg in the out dir, and a last line with
 * kv/etcd throughput ratios. Both clusters are stopped at the end, also on failure and Ctrl-C.
 *
 * <p>Both stores run with the same durability (each fsyncs its log before acknowledging a write)
 * and share the machine with the load driver, which is part of what is measured.
 */
@Command(
    name = "compare-etcd",
    mixinStandardHelpOptions = true,
    description = {
      "Starts etcd and kv clusters (3 members each) on loopback, runs the same workloads against"
          + " both, alternating, and prints a table; the last line is the kv/etcd throughput"
          + " ratio for writes (64 clients, 256 B puts) and reads (64 clients, linearizable gets).",
    })
final class CompareEtcdCommand implements Callable<Integer> {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  /** Enough for a stable median; well under a second on a healthy disk. */
  private static final int FSYNC_SAMPLES = 200;

  @Option(
      names = "--quick",
      description =
          "5 s + 2 s warm-up per run instead of 20 s + 5 s, and 20 s instead of 120 s of load to"
              + " warm each store up first; under 3 minutes in all.")
  boolean quick;

  @Option(
      names = "--out-dir",
      paramLabel = "DIR",
      description =
          "Results, cluster data and logs. Default: kv-bench/target/compare-etcd in the repo.")
  Path outDir;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Measured time per run (overrides --quick).")
  Duration duration;

  @Option(
      names = "--warmup",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Warm-up per run (overrides --quick).")
  Duration warmup;

  @Option(
      names = "--keys",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Keys per workload. Default: ${DEFAULT-VALUE}.")
  int keys;

  @Option(
      names = "--repo-dir",
      paramLabel = "DIR",
      description =
          "The kv repository (for bin/kv-local). Default: $KV_REPO_DIR, else the current"
              + " directory.")
  Path repoDir;

  @Option(
      names = "--etcd-binary",
      paramLabel = "FILE",
      description =
          "The etcd server. Default: etcd on PATH, else /usr/bin/etcd (Debian's" + " etcd-server).")
  Path etcdBinary;

  @Option(
      names = "--etcd-client-port-base",
      paramLabel = "BASE",
      defaultValue = "23790",
      description = "etcd member K serves clients on BASE+K. Default: ${DEFAULT-VALUE}.")
  int etcdClientPortBase;

  @Option(
      names = "--etcd-peer-port-base",
      paramLabel = "BASE",
      defaultValue = "23800",
      description = "etcd member K talks to peers on BASE+K. Default: ${DEFAULT-VALUE}.")
  int etcdPeerPortBase;

  @Option(
      names = "--kv-raft-port-base",
      paramLabel = "BASE",
      defaultValue = "16000",
      description = "kv node K uses Raft port BASE+K. Default: ${DEFAULT-VALUE}.")
  int kvRaftPortBase;

  @Option(
      names = "--kv-api-port-base",
      paramLabel = "BASE",
      defaultValue = "17000",
      description = "kv node K serves the API on BASE+K. Default: ${DEFAULT-VALUE}.")
  int kvApiPortBase;

  @Option(
      names = "--cluster-warmup",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Unmeasured load on each store before the first workload (overrides --quick).")
  Duration clusterWarmup;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "42",
      description = "Seed of the operation sequence. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--keep-data",
      description = "Keep the stores' data directories after the run (a full run leaves several"
          + " GB). By default only the logs stay.")
  boolean keepData;

  private Duration clusterWarmupLength() {
    if (clusterWarmup != null) {
      return clusterWarmup;
    }
    return quick ? ComparisonPlan.QUICK_CLUSTER_WARMUP : ComparisonPlan.CLUSTER_WARMUP;
  }

  @Override
  public Integer call() throws Exception {
    Path repo = resolveRepoDir();
    Path out =
        (outDir != null ? outDir : repo.resolve("kv-bench/target/compare-etcd"))
            .toAbsolutePath()
            .normalize();
    Files.createDirectories(out);
    Path etcdBinary = this.etcdBinary != null ? this.etcdBinary : findEtcd();
    if (!Files.isExecutable(etcdBinary)) {
      throw new IllegalStateException(
          etcdBinary + " is not there: apt-get install -y etcd-server (or pass --etcd-binary)");
    }
    List<Workload> plan =
        ComparisonPlan.workloads(
            keys,
            duration != null
                ? duration
                : quick ? ComparisonPlan.QUICK_DURATION : ComparisonPlan.DURATION,
            warmup != null ? warmup : quick ? ComparisonPlan.QUICK_WARMUP : ComparisonPlan.WARMUP);

    PrintStream progress = System.err;
    String fsyncBefore = MachineProbe.describe(MachineProbe.fsyncLatency(out, FSYNC_SAMPLES));
    progress.println("kv-bench: this disk fsyncs a small append in " + fsyncBefore);
    Optional<MachineProbe.CpuTicks> cpuBefore = MachineProbe.cpuTicks();
    List<RunResult> results = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    try (ClusterGuard guard = new ClusterGuard()) {
      EtcdCluster etcd =
          guard.guard(
              new EtcdCluster(
                  etcdBinary,
                  out.resolve("etcd"),
                  etcdClientPortBase,
                  etcdPeerPortBase,
                  START_TIMEOUT));
      KvLocalCluster kv =
          guard.guard(
              new KvLocalCluster(
                  repo, out.resolve("kv"), kvRaftPortBase, kvApiPortBase, START_TIMEOUT));
      progress.println("kv-bench: starting etcd (3 members) in " + etcd.dir());
      etcd.start();
      progress.println("kv-bench: starting kv (3 nodes) with bin/kv-local in " + kv.dir());
      kv.start();
      try (Backend kvStore = KvBackend.connect(kv.endpoints());
          Backend etcdStore = EtcdBackend.connect(etcd.endpoints())) {
        WorkloadRunner runner = new WorkloadRunner(seed, progress);
        Duration warmupLength = clusterWarmupLength();
        for (Backend store : List.of(kvStore, etcdStore)) {
          Duration preload = runner.preload(store, ComparisonPlan.clusterWarmup(keys, warmupLength));
          runner.run(
              store,
              ComparisonPlan.clusterWarmup(
                  keys, ComparisonPlan.warmupAfterPreload(warmupLength, preload)));
        }
        for (int i = 0; i < plan.size(); i++) {
          List<Backend> order =
              i % 2 == 0 ? List.of(kvStore, etcdStore) : List.of(etcdStore, kvStore);
          for (Backend store : order) {
            if (guard.stopping()) {
              throw new InterruptedException("interrupted: the clusters were stopped");
            }
            try {
              BenchCluster cluster = store == kvStore ? kv : etcd;
              results.add(runner.run(store, plan.get(i), cluster.serverPids()));
            } catch (Exception e) {
              String failure = plan.get(i).name() + " on " + store.name() + ": " + e;
              progress.println("kv-bench: FAILED " + failure);
              failures.add(failure);
            }
          }
        }
      } finally {
        guard.close(); // stops both clusters before their data goes
        if (!keepData) {
          deleteData(List.of(etcd, kv), progress);
        }
      }
    }

    String fsyncAfter = MachineProbe.describe(MachineProbe.fsyncLatency(out, FSYNC_SAMPLES));
    String steal = cpuBefore.flatMap(before -> MachineProbe.cpuTicks()
            .map(after -> String.format("%.1f%%", after.stealPercentSince(before))))
        .orElse("unknown");

    // Results in plan order, kv before etcd, whatever order they ran in.
    List<String> backends = List.of("kv", "etcd");
    results.sort(
        Comparator.comparingInt((RunResult r) -> indexOf(plan, r))
            .thenComparingInt(r -> backends.indexOf(r.backend())));
    Ratios ratios = Ratios.of(results, "kv", "etcd");
    Goals goals = Goals.of(results, "kv", "etcd");
    Path json = out.resolve("results.json");
    Path svg = out.resolve("chart.svg");
    JsonReport.write(
        json,
        Environment.describe(
            Map.of(
                "etcd", Environment.etcdVersion(etcdBinary),
                "durationSeconds", Long.toString(plan.get(0).duration().toSeconds()),
                "warmupSeconds", Long.toString(plan.get(0).warmup().toSeconds()),
                "clusterWarmupSeconds", Long.toString(clusterWarmupLength().toSeconds()),
                "fsyncBefore", fsyncBefore,
                "fsyncAfter", fsyncAfter,
                "cpuStealDuringRun", steal,
                "kvDataGroups", kvDataGroups())),
        results,
        Optional.of(ratios),
        Optional.of(goals));
    SvgBarChart.write(svg, "kv vs etcd, 3 replicas each on one machine", results);

    System.out.println();
    System.out.println("machine: fsync before " + fsyncBefore + "; after " + fsyncAfter
        + "; CPU stolen by the hypervisor during the run: " + steal);
    System.out.println("kv: " + kvDataGroups() + " data groups; cpu ms/op and cs/op: the"
        + " servers' CPU time and context switches per operation, all members together");
    ResultTable.print(results, System.out);
    System.out.println();
    for (String failure : failures) {
      System.out.println("FAILED: " + failure);
    }
    goals.lines().forEach(System.out::println);
    System.out.println();
    System.out.println("results: " + json);
    System.out.println("chart:   " + svg);
    System.out.println(ratios.line());
    return failures.isEmpty() ? 0 : 1;
  }

  /** What bin/kv-local gives the new cluster: KV_DATA_GROUPS, else kvd's default. */
  private static String kvDataGroups() {
    String groups = System.getenv("KV_DATA_GROUPS");
    return groups != null && !groups.isBlank() ? groups.trim() : "8 (the default)";
  }

  /** Best effort: a directory that cannot be deleted is reported, not fatal. */
  private static void deleteData(List<BenchCluster> clusters, PrintStream progress) {
    for (BenchCluster cluster : clusters) {
      for (Path dir : cluster.dataDirs()) {
        try {
          ClusterFiles.deleteTree(dir);
        } catch (UncheckedIOException e) {
          progress.println("kv-bench: could not delete " + dir + ": " + e.getCause());
        }
      }
    }
  }

  private static Path findEtcd() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Path.of(dir.isEmpty() ? "." : dir, "etcd");
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    return Path.of("/usr/bin/etcd");
  }

  private Path resolveRepoDir() {
    if (repoDir != null) {
      return repoDir.toAbsolutePath().normalize();
    }
    String env = System.getenv("KV_REPO_DIR");
    return Path.of(env != null && !env.isBlank() ? env : ".").toAbsolutePath().normalize();
  }

  private static int indexOf(List<Workload> plan, RunResult result) {
    for (int i = 0; i < plan.size(); i++) {
      if (plan.get(i).name().equals(result.workload().name())) {
        return i;
      }
    }
    return plan.size();
  }
}
