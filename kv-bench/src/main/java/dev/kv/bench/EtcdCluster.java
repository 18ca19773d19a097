package dev.kv.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Owns the three etcd processes (e1, e2, e3) of a comparison: starts them on loopback from empty
 * data directories under its own folder, waits until each reports healthy, and stops them.
 *
 * <p>Member K listens for clients on {@code clientPortBase + K} and for peers on {@code
 * peerPortBase + K} (23791-23793 and 23801-23803 by default, clear of a system etcd on 2379/2380).
 * Its data lives in {@code dir/eK}, its log in {@code dir/eK.log}, its pid in {@code dir/eK.pid}.
 *
 * <p>Durability is left at etcd's defaults on purpose: every etcd member fsyncs its WAL before it
 * acknowledges a write (3.4 has no flag to skip that; 3.5 added {@code --unsafe-no-fsync}, which a
 * fair comparison must not use), and kv's Ratis log is fsynced before a write is acknowledged too
 * (Ratis' unsafe-flush is off), so both stores pay for the same durability. Both batch the fsyncs
 * of concurrent writes. The backend quota is raised to 8 GiB because etcd keeps every revision
 * until it is compacted, and the 64 KiB put workload writes more than the 2 GiB default.
 */
public final class EtcdCluster implements BenchCluster {
  private static final int MEMBERS = 3;
  private static final long QUOTA_BYTES = 8L << 30;

  private final Path etcdBinary;
  private final Path dir;
  private final int clientPortBase;
  private final int peerPortBase;
  private final Duration startTimeout;
  private final List<Process> processes = new ArrayList<>();
  private boolean closed;

  public EtcdCluster(
      Path etcdBinary, Path dir, int clientPortBase, int peerPortBase, Duration startTimeout) {
    this.etcdBinary = etcdBinary;
    this.dir = dir;
    this.clientPortBase = clientPortBase;
    this.peerPortBase = peerPortBase;
    this.startTimeout = startTimeout;
  }

  @Override
  public String name() {
    return "etcd";
  }

  @Override
  public List<String> endpoints() {
    List<String> endpoints = new ArrayList<>();
    for (int k = 1; k <= MEMBERS; k++) {
      endpoints.add(LoopbackPorts.HOST + ":" + (clientPortBase + k));
    }
    return endpoints;
  }

  @Override
  public void start() throws IOException, InterruptedException {
    stopLeftovers();
    List<Integer> ports = new ArrayList<>();
    for (int k = 1; k <= MEMBERS; k++) {
      ports.add(clientPortBase + k);
      ports.add(peerPortBase + k);
    }
    List<Integer> taken = LoopbackPorts.inUse(ports);
    if (!taken.isEmpty()) {
      throw new IllegalStateException(
          "etcd cannot start: ports "
              + taken
              + " are in use; choose others with --etcd-client-port-base/--etcd-peer-port-base");
    }
    ClusterFiles.deleteTree(dir);
    Files.createDirectories(dir);
    for (int k = 1; k <= MEMBERS; k++) {
      launch(k);
    }
    for (int k = 1; k <= MEMBERS; k++) {
      awaitHealthy(k);
    }
  }

  private synchronized void launch(int k) throws IOException {
    if (closed) {
      throw new IllegalStateException("etcd was stopped while starting");
    }
    String client = "http://" + LoopbackPorts.HOST + ":" + (clientPortBase + k);
    String peer = "http://" + LoopbackPorts.HOST + ":" + (peerPortBase + k);
    List<String> command =
        List.of(
            etcdBinary.toString(),
            "--name=" + member(k),
            "--data-dir=" + dir.resolve(member(k)),
            "--listen-client-urls=" + client,
            "--advertise-client-urls=" + client,
            "--listen-peer-urls=" + peer,
            "--initial-advertise-peer-urls=" + peer,
            "--initial-cluster=" + initialCluster(),
            "--initial-cluster-token=kv-bench",
            "--initial-cluster-state=new",
            "--quota-backend-bytes=" + QUOTA_BYTES,
            "--logger=zap");
    Path log = logFile(k);
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    processes.add(process);
    Files.writeString(pidFile(k), Long.toString(process.pid()));
  }

  /**
   * Stops members left running by a comparison that was killed with kill -9 (which skips the
   * shutdown hook), so that they do not hold the ports. A pid file names each; its process counts
   * only while it is still an etcd with this member's data dir, since pids are reused.
   */
  private void stopLeftovers() throws InterruptedException {
    for (int k = 1; k <= MEMBERS; k++) {
      String dataDirFlag = "--data-dir=" + dir.resolve(member(k));
      Optional<ProcessHandle> leftover =
          readPid(pidFile(k))
              .flatMap(ProcessHandle::of)
              .filter(p -> p.info().commandLine().orElse("").contains(dataDirFlag));
      if (leftover.isPresent()) {
        ProcessHandle process = leftover.get();
        process.destroy();
        try {
          process.onExit().get(15, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
          process.destroyForcibly();
        }
      }
    }
  }

  private static Optional<Long> readPid(Path file) {
    try {
      return Optional.of(Long.parseLong(Files.readString(file).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private void awaitHealthy(int k) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    URI health =
        URI.create("http://" + LoopbackPorts.HOST + ":" + (clientPortBase + k) + "/health");
    long deadline = System.nanoTime() + startTimeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() - deadline < 0) {
      Process process = process(k);
      if (!process.isAlive()) {
        throw new IllegalStateException(
            member(k)
                + " exited with status "
                + process.exitValue()
                + " while starting; the end of "
                + logFile(k)
                + ":\n"
                + ClusterFiles.tail(logFile(k), 20));
      }
      try {
        HttpResponse<String> answer =
            http.send(
                HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        last = answer.statusCode() + " " + answer.body().trim();
        if (answer.statusCode() == 200 && answer.body().contains("\"health\":\"true\"")) {
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        member(k)
            + " did not report healthy within "
            + startTimeout.toSeconds()
            + " s (last answer: "
            + last
            + "); see "
            + logFile(k));
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (Process process : processes) {
      process.destroy(); // SIGTERM: etcd stops cleanly.
    }
    for (Process process : processes) {
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
  }

  @Override
  public synchronized List<Long> serverPids() {
    return processes.stream().map(Process::pid).toList();
  }

  @Override
  public List<Path> dataDirs() {
    List<Path> dirs = new ArrayList<>();
    for (int k = 1; k <= MEMBERS; k++) {
      dirs.add(dir.resolve(member(k)));
    }
    return dirs;
  }

  /** The folder with the members' data directories and logs. */
  public Path dir() {
    return dir;
  }

  private synchronized Process process(int k) {
    if (processes.size() < k) {
      throw new IllegalStateException("etcd was stopped while starting");
    }
    return processes.get(k - 1);
  }

  private String initialCluster() {
    StringJoiner members = new StringJoiner(",");
    for (int k = 1; k <= MEMBERS; k++) {
      members.add(member(k) + "=http://" + LoopbackPorts.HOST + ":" + (peerPortBase + k));
    }
    return members.toString();
  }

  private Path pidFile(int k) {
    return dir.resolve(member(k) + ".pid");
  }

  private Path logFile(int k) {
    return dir.resolve(member(k) + ".log");
  }

  private static String member(int k) {
    return "e" + k;
  }
}
