package dev.kv.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Owns a three-node kv cluster of a comparison, run by {@code bin/kv-local} in a folder of its own
 * ({@code KV_LOCAL_DIR}) with its own port bases, so it never touches a developer's default
 * cluster. Node K serves the API on {@code apiPortBase + K} and Raft on {@code raftPortBase + K}
 * (17001-17003 and 16001-16003 by default). kv-local's own output goes to {@code dir/kv-local.log};
 * each node's log is {@code dir/nK/kvd.log}.
 *
 * <p>The nodes run in their own session (kv-local detaches them), so a Ctrl-C does not reach them:
 * {@link #close()} always runs {@code bin/kv-local down}. Durability is kv's default: the Ratis log
 * is fsynced before a write is acknowledged, as etcd's WAL is.
 */
public final class KvLocalCluster implements BenchCluster {
  private static final int NODES = 3;

  private final Path repoDir;
  private final Path dir;
  private final int raftPortBase;
  private final int apiPortBase;
  private final Duration startTimeout;
  private boolean started;

  public KvLocalCluster(
      Path repoDir, Path dir, int raftPortBase, int apiPortBase, Duration startTimeout) {
    this.repoDir = repoDir;
    this.dir = dir;
    this.raftPortBase = raftPortBase;
    this.apiPortBase = apiPortBase;
    this.startTimeout = startTimeout;
  }

  @Override
  public String name() {
    return "kv";
  }

  @Override
  public List<String> endpoints() {
    List<String> endpoints = new ArrayList<>();
    for (int k = 1; k <= NODES; k++) {
      endpoints.add(LoopbackPorts.HOST + ":" + (apiPortBase + k));
    }
    return endpoints;
  }

  /** bin/kv-local writes node K's pid to {@code nK/kvd.pid} when it starts the node. */
  @Override
  public List<Long> serverPids() {
    List<Long> pids = new ArrayList<>();
    for (int k = 1; k <= NODES; k++) {
      try {
        pids.add(Long.parseLong(Files.readString(dir.resolve("n" + k).resolve("kvd.pid")).trim()));
      } catch (IOException | NumberFormatException e) {
        return List.of();
      }
    }
    return pids;
  }

  /** bin/kv-local keeps node K's data in {@code nK/data}, beside its log. */
  @Override
  public List<Path> dataDirs() {
    List<Path> dirs = new ArrayList<>();
    for (int k = 1; k <= NODES; k++) {
      dirs.add(dir.resolve("n" + k).resolve("data"));
    }
    return dirs;
  }

  @Override
  public void start() throws IOException, InterruptedException {
    Path script = repoDir.resolve("bin/kv-local");
    if (!Files.isExecutable(script)) {
      throw new IllegalStateException(
          script + " is missing: run from the repository or pass --repo-dir");
    }
    // A cluster left behind by a run that was killed (kill -9 skips the shutdown hook) would hold
    // the ports and the data dir: stop it first, with the ports it was created with.
    if (Files.exists(dir.resolve("cluster.env"))) {
      kvLocal("down", Map.of());
    }
    List<Integer> ports = new ArrayList<>();
    for (int k = 1; k <= NODES; k++) {
      ports.add(raftPortBase + k);
      ports.add(apiPortBase + k);
    }
    List<Integer> taken = LoopbackPorts.inUse(ports);
    if (!taken.isEmpty()) {
      throw new IllegalStateException(
          "kv cannot start: ports "
              + taken
              + " are in use; choose others with --kv-raft-port-base/--kv-api-port-base");
    }
    ClusterFiles.deleteTree(dir);
    Files.createDirectories(dir);
    synchronized (this) {
      started = true;
    }
    int status =
        kvLocal(
            "up",
            Map.of(
                "KV_LOCAL_RAFT_PORT_BASE", Integer.toString(raftPortBase),
                "KV_LOCAL_API_PORT_BASE", Integer.toString(apiPortBase),
                "KV_LOCAL_UP_TIMEOUT", Long.toString(startTimeout.toSeconds())));
    if (status != 0) {
      throw new IllegalStateException(
          "bin/kv-local up failed (exit "
              + status
              + "); the end of "
              + log()
              + ":\n"
              + ClusterFiles.tail(log(), 30));
    }
  }

  @Override
  public synchronized void close() {
    if (!started) {
      return;
    }
    try {
      int status = kvLocal("down", Map.of());
      if (status != 0) {
        System.err.println("kv-bench: bin/kv-local down exited with " + status + "; see " + log());
      }
      started = false;
    } catch (IOException | InterruptedException e) {
      System.err.println("kv-bench: could not stop the kv cluster in " + dir + ": " + e);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public Path dir() {
    return dir;
  }

  private Path log() {
    return dir.resolve("kv-local.log");
  }

  /** Runs bin/kv-local with this cluster's folder, appending its output to the log. */
  private int kvLocal(String command, Map<String, String> env)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    ProcessBuilder builder =
        new ProcessBuilder(repoDir.resolve("bin/kv-local").toString(), command)
            .directory(repoDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    // The port bases are recorded in cluster.env at creation; 'down' must not contradict them.
    builder.environment().remove("KV_LOCAL_RAFT_PORT_BASE");
    builder.environment().remove("KV_LOCAL_API_PORT_BASE");
    builder.environment().put("KV_LOCAL_DIR", dir.toString());
    builder.environment().putAll(env);
    Process process = builder.start();
    // kv-local bounds its own waits (UP_TIMEOUT, STOP_TIMEOUT per node); this is a backstop.
    if (!process.waitFor(startTimeout.toSeconds() + 180, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("bin/kv-local " + command + " did not finish; see " + log());
    }
    return process.exitValue();
  }
}
