package dev.kv.bench;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the servers of a store spent during a measured window, summed over their processes: CPU
 * time, and the context switches of their threads (voluntary: a thread blocked, e.g. parked until
 * another thread hands it work; involuntary: the scheduler took the core away). Divided by the
 * operations of the window, they say what one operation costs the store, which throughput alone
 * hides on a machine where the driver and both stores share the cores.
 *
 * <p>Context switches come from Linux's /proc/PID/task/TID/status, summed over the threads alive
 * when sampled, thread by thread: a thread that ends during the window takes its count with it,
 * so under thread churn the figure is a lower bound. Elsewhere they are unknown (negative).
 *
 * @param cpu CPU time (user and system) of the server processes during the window
 * @param voluntarySwitches voluntary context switches during the window, or -1 if unknown
 * @param involuntarySwitches involuntary context switches during the window, or -1 if unknown
 */
public record ServerCost(Duration cpu, long voluntarySwitches, long involuntarySwitches) {

  /** CPU milliseconds per operation, over {@code ops} operations. */
  public double cpuMillisPerOp(long ops) {
    return ops > 0 ? cpu.toNanos() / 1e6 / ops : 0;
  }

  /** Context switches (voluntary and involuntary) per operation, or empty if unknown. */
  public Optional<Double> switchesPerOp(long ops) {
    if (voluntarySwitches < 0 || involuntarySwitches < 0 || ops <= 0) {
      return Optional.empty();
    }
    return Optional.of((voluntarySwitches + involuntarySwitches) / (double) ops);
  }

  /** "0.46 ms CPU, 7.9 context switches per operation", over the operations of {@code run}. */
  String describePerOp(RunResult run) {
    long ops = run.latency().count();
    String switches =
        switchesPerOp(ops)
            .map(s -> String.format(Locale.ROOT, ", %.1f context switches", s))
            .orElse("");
    return String.format(Locale.ROOT, "%.2f ms CPU", cpuMillisPerOp(ops)) + switches
        + " per operation";
  }

  /** One thread's context switches since it started. */
  record Switches(long voluntary, long involuntary) {
    static final Switches NONE = new Switches(0, 0);
  }

  /**
   * A reading of the processes' counters at one moment; two of them make a {@link ServerCost}.
   *
   * @param cpuNanos CPU time of the processes so far
   * @param threads each live thread's switches so far, by Linux thread id; empty where /proc
   *     lacks them
   */
  record Sample(long cpuNanos, Optional<Map<Long, Switches>> threads) {
    /**
     * What was spent from {@code earlier} to this sample. Switches are summed thread by thread:
     * a thread that ended in the window is missing from this sample and counts nothing, one born
     * in it counts from zero, so the sum is a lower bound, never a difference of totals that
     * thread churn could make negative.
     */
    ServerCost since(Sample earlier) {
      Duration cpu = Duration.ofNanos(cpuNanos - earlier.cpuNanos);
      if (threads.isEmpty() || earlier.threads.isEmpty()) {
        return new ServerCost(cpu, -1, -1);
      }
      long voluntary = 0;
      long involuntary = 0;
      for (Map.Entry<Long, Switches> thread : threads.get().entrySet()) {
        Switches now = thread.getValue();
        Switches before = earlier.threads.get().getOrDefault(thread.getKey(), Switches.NONE);
        if (now.voluntary() < before.voluntary() || now.involuntary() < before.involuntary()) {
          before = Switches.NONE; // the id was reused by a thread born in the window
        }
        voluntary += now.voluntary() - before.voluntary();
        involuntary += now.involuntary() - before.involuntary();
      }
      return new ServerCost(cpu, voluntary, involuntary);
    }
  }

  /**
   * Reads the counters of {@code pids} now; empty if any of them is gone or does not report its
   * CPU time (a store with a member down has no cost figure rather than a wrong one).
   */
  static Optional<Sample> sample(List<Long> pids) {
    if (pids.isEmpty()) {
      return Optional.empty();
    }
    long cpuNanos = 0;
    Map<Long, Switches> threads = new HashMap<>();
    boolean switchesKnown = true;
    for (long pid : pids) {
      Optional<Duration> cpu =
          ProcessHandle.of(pid)
              .filter(ProcessHandle::isAlive)
              .flatMap(p -> p.info().totalCpuDuration());
      if (cpu.isEmpty()) {
        return Optional.empty();
      }
      cpuNanos += cpu.get().toNanos();
      switchesKnown = switchesKnown && addThreadSwitches(pid, threads);
    }
    return Optional.of(
        new Sample(cpuNanos, switchesKnown ? Optional.of(threads) : Optional.empty()));
  }

  /**
   * Adds the switches of the process's live threads to {@code threads}; false where /proc lacks
   * them. A thread that ends while it is read is skipped: its counts go with it either way.
   */
  private static boolean addThreadSwitches(long pid, Map<Long, Switches> threads) {
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      Iterator<Path> each = tasks.iterator();
      while (true) {
        Path task;
        try {
          if (!each.hasNext()) {
            return true;
          }
          task = each.next();
        } catch (DirectoryIteratorException e) {
          // The listing broke off as threads ended; what was read still counts. A live thread
          // missed here counts from zero in a later sample, the one way the sum can overcount.
          return true;
        }
        long tid = Long.parseLong(task.getFileName().toString());
        readSwitches(task).ifPresent(switches -> threads.put(tid, switches));
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static Optional<Switches> readSwitches(Path task) {
    List<String> status;
    try {
      status = Files.readAllLines(task.resolve("status"));
    } catch (IOException e) {
      return Optional.empty(); // the thread ended since the listing
    }
    long voluntary = 0;
    long involuntary = 0;
    for (String line : status) {
      if (line.startsWith("voluntary_ctxt_switches:")) {
        voluntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
        involuntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return Optional.of(new Switches(voluntary, involuntary));
  }
}
