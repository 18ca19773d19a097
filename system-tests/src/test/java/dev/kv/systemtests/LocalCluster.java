package dev.kv.systemtests;

import dev.kv.api.testing.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A three-node cluster of real kvd processes, run through the repository's own {@code bin/kv-local}
 * and {@code bin/kvctl} exactly as a developer runs them, on free loopback ports and in a folder
 * under {@code target/}, so it never meets a developer's cluster.
 *
 * <p>It owns that folder and those processes: {@link #close()} stops every node, whatever state the
 * tests left it in. It never builds: the reactor has packaged the jars before failsafe runs (and
 * {@code KV_LOCAL_BUILD=never} makes the scripts fail rather than start a nested build).
 */
final class LocalCluster implements AutoCloseable {
  static final List<String> NODES = List.of("n1", "n2", "n3");
  /** The node the first {@code bin/kv-local add} starts. */
  static final String ADDED = "n4";

  private static final String HOST = "127.0.0.1";
  private static final Duration UP_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final int LOG_LINES_ON_FAILURE = 150;

  private final Path repoDir;
  private final Path clusterDir;
  private final int raftPortBase;
  private final int apiPortBase;
  private final Map<String, String> environment;
  private final Thread stopOnJvmExit = new Thread(this::downQuietly, "local-cluster-down");

  private LocalCluster(Path repoDir, Path clusterDir, int raftPortBase, int apiPortBase) {
    this.repoDir = repoDir;
    this.clusterDir = clusterDir;
    this.raftPortBase = raftPortBase;
    this.apiPortBase = apiPortBase;
    this.environment = environment();
  }

  /** A cluster in a new folder under the build directory, on ports nothing listens on now. */
  static LocalCluster create() {
    Path repoDir = Path.of(requiredProperty("kv.repo.dir")).toAbsolutePath().normalize();
    Path workDir = Path.of(requiredProperty("kv.work.dir")).toAbsolutePath().normalize();
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path clusterDir = workDir.resolve("cluster-" + stamp + "-" + ProcessHandle.current().pid());
    int[] bases = freePortBases();
    LocalCluster cluster = new LocalCluster(repoDir, clusterDir, bases[0], bases[1]);
    // Backstop for a JVM that is stopped before the test framework closes the cluster.
    Runtime.getRuntime().addShutdownHook(cluster.stopOnJvmExit);
    return cluster;
  }

  Path repoDir() {
    return repoDir;
  }

  Path clusterDir() {
    return clusterDir;
  }

  /** The API address ("host:port") of node n1, n2, n3 or an added node (n4, ...). */
  String endpoint(String node) {
    return HOST + ":" + (apiPortBase + nodeNumber(node));
  }

  /** The API addresses of the given nodes, comma-separated, as kvctl's --endpoints takes them. */
  String endpoints(String... nodes) {
    List<String> chosen = nodes.length == 0 ? NODES : List.of(nodes);
    return chosen.stream().map(this::endpoint).collect(Collectors.joining(","));
  }

  /** Starts every stopped node with {@code bin/kv-local up} and waits until all serve. */
  ProcessResult up() {
    System.out.printf(
        "%n=== local cluster in %s: raft ports %d+k, api ports %d+k ===%n",
        clusterDir, raftPortBase, apiPortBase);
    ProcessResult result = run(UP_TIMEOUT.plusSeconds(60), kvLocalCommand("up"));
    System.out.print(result.stdout());
    if (!result.succeeded()) {
      printNodeLogs();
      throw new AssertionError("bin/kv-local up failed:\n" + result.describe());
    }
    return result;
  }

  boolean allNodesRunning() {
    return NODES.stream().allMatch(node -> pid(node).stream().anyMatch(LocalCluster::isAlive));
  }

  ProcessResult kvLocal(String... args) {
    return run(COMMAND_TIMEOUT.plusSeconds(60), kvLocalCommand(args));
  }

  ProcessResult kvctl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(repoDir.resolve("bin/kvctl").toString());
    command.addAll(List.of(args));
    return run(COMMAND_TIMEOUT, command);
  }

  /**
   * Runs a command from the repository root with the cluster's environment, and returns when it
   * exits. A command that outlives {@code timeout} is killed and fails the test.
   */
  ProcessResult run(Duration timeout, List<String> command) {
    try {
      Files.createDirectories(clusterDir);
      Path stdout = Files.createTempFile(clusterDir, "command-", ".out");
      Path stderr = Files.createTempFile(clusterDir, "command-", ".err");
      try {
        ProcessBuilder builder =
            new ProcessBuilder(command)
                .directory(repoDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        long started = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
          throw new AssertionError(
              "still running after "
                  + timeout.toSeconds()
                  + " s, killed: "
                  + command
                  + "\nstdout so far:\n"
                  + Files.readString(stdout)
                  + "\nstderr so far:\n"
                  + Files.readString(stderr));
        }
        System.out.printf(
            "$ %s  -> exit %d in %d ms%n",
            String.join(" ", command).replace(repoDir + "/", ""),
            process.exitValue(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return new ProcessResult(
            command, process.exitValue(), Files.readString(stdout), Files.readString(stderr));
      } finally {
        Files.deleteIfExists(stdout);
        Files.deleteIfExists(stderr);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + command, e);
    }
  }

  /** The pid kv-local recorded for the node, if it has one. */
  OptionalLong pid(String node) {
    Path file = clusterDir.resolve(node).resolve("kvd.pid");
    try {
      if (!Files.isRegularFile(file)) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(Long.parseLong(Files.readString(file).trim()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * Whether a process with this pid runs. A zombie (exited, not yet reaped by its new parent)
   * counts as gone: it has no command line any more, and it holds no port or file.
   */
  static boolean isAlive(long pid) {
    Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
    if (Files.isDirectory(Path.of("/proc/self"))) {
      try {
        return Files.readAllBytes(cmdline).length > 0; // procfs reports every size as 0
      } catch (IOException gone) {
        return false;
      }
    }
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  Path logFile(String node) {
    return clusterDir.resolve(node).resolve("kvd.log");
  }

  /** Prints the end of every node's log: called when a test fails. */
  void printNodeLogs() {
    for (String node : NODES) {
      Path log = logFile(node);
      System.out.printf("%n----- last %d lines of %s -----%n", LOG_LINES_ON_FAILURE, log);
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        lines
            .subList(Math.max(0, lines.size() - LOG_LINES_ON_FAILURE), lines.size())
            .forEach(System.out::println);
      } catch (IOException e) {
        System.out.println("(cannot read it: " + e + ")");
      }
    }
    System.out.println("----- end of node logs -----");
  }

  /** Stops every node ({@code bin/kv-local down}). */
  @Override
  public void close() {
    downQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnJvmExit);
    } catch (IllegalStateException jvmAlreadyExiting) {
      // the hook is running or has run; nothing left to do
    }
  }

  private void downQuietly() {
    try {
      ProcessResult result = run(Duration.ofSeconds(120), kvLocalCommand("down"));
      System.out.print(result.stdout() + result.stderr());
    } catch (RuntimeException | AssertionError e) {
      System.out.println("bin/kv-local down failed: " + e);
    }
  }

  private List<String> kvLocalCommand(String... args) {
    List<String> command = new ArrayList<>();
    command.add(repoDir.resolve("bin/kv-local").toString());
    command.addAll(List.of(args));
    return command;
  }

  private Map<String, String> environment() {
    Map<String, String> env = new HashMap<>(System.getenv());
    // A developer's own KV_* settings must not steer the test cluster or kvctl elsewhere.
    env.keySet().removeIf(name -> name.startsWith("KV_"));
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("KV_LOCAL_DIR", clusterDir.toString());
    env.put("KV_LOCAL_RAFT_PORT_BASE", Integer.toString(raftPortBase));
    env.put("KV_LOCAL_API_PORT_BASE", Integer.toString(apiPortBase));
    env.put("KV_LOCAL_UP_TIMEOUT", Long.toString(UP_TIMEOUT.toSeconds()));
    env.put("KV_LOCAL_BUILD", "never");
    env.put("KV_ENDPOINTS", endpoints());
    return env;
  }

  private static int nodeNumber(String node) {
    if (!node.matches("n[1-9]")) {
      throw new IllegalArgumentException("no node " + node + "; nodes are n1 .. n9");
    }
    return node.charAt(1) - '0';
  }

  /**
   * Picks a raft port base and an API port base whose ports base+1..base+4 (the three nodes and
   * one added node) are free now, all below the kernel's ephemeral port range: the added node
   * binds its ports tens of seconds later, and by then an outgoing connection of the running
   * nodes could hold any ephemeral port (CI once lost n4's raft port 36674 that way). Another
   * process could still take one before the nodes bind; kv-local then fails with a clear message.
   */
  private static int[] freePortBases() {
    int lowest = 10_000;
    int highest = LoopbackPorts.firstEphemeralPort() - 10;
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 100; attempt++) {
      int raftBase = lowest + 10 * random.nextInt((highest - lowest) / 10);
      int apiBase = raftBase + 5;
      if (portsFree(raftBase) && portsFree(apiBase)) {
        return new int[] {raftBase, apiBase};
      }
    }
    throw new IllegalStateException("found no free loopback ports for a test cluster");
  }

  private static boolean portsFree(int base) {
    for (int k = 1; k <= nodeNumber(ADDED); k++) {
      try (ServerSocket socket = new ServerSocket(base + k, 1, InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
      } catch (IOException inUse) {
        return false;
      }
    }
    return true;
  }

  private static String requiredProperty(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "system property "
              + name
              + " is not set; run the system tests through Maven"
              + " (./mvnw verify), which sets it");
    }
    return value;
  }
}
