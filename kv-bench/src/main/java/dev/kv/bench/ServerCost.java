package dev.kv.bench;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the servers of a store spent during a measured window, summed over their processes: CPU
 * time, and the context switches of their threads (voluntary: a thread blocked, e.g. parked until
 * another thread hands it work; involuntary: the scheduler took the core away). Divided by the
 * operations of the window, they say what one operation costs the store, which throughput alone
 * hides on a machine where the driver and both stores share the cores.
 *
 * <p>Context switches come from Linux's /proc/PID/task/TID/status, summed over the threads alive
 * when sampled: a thread that ends during the window takes its count with it, so under thread
 * churn the figure is a lower bound. Elsewhere they are unknown (negative).
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

  /** A reading of the processes' counters at one moment; two of them make a {@link ServerCost}. */
  record Sample(long cpuNanos, long voluntarySwitches, long involuntarySwitches) {
    /** What was spent from {@code earlier} to this sample. */
    ServerCost since(Sample earlier) {
      boolean switchesKnown = voluntarySwitches >= 0 && earlier.voluntarySwitches >= 0;
      return new ServerCost(
          Duration.ofNanos(cpuNanos - earlier.cpuNanos),
          switchesKnown ? voluntarySwitches - earlier.voluntarySwitches : -1,
          switchesKnown ? involuntarySwitches - earlier.involuntarySwitches : -1);
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
    long voluntary = 0;
    long involuntary = 0;
    for (long pid : pids) {
      Optional<Duration> cpu =
          ProcessHandle.of(pid)
              .filter(ProcessHandle::isAlive)
              .flatMap(p -> p.info().totalCpuDuration());
      if (cpu.isEmpty()) {
        return Optional.empty();
      }
      cpuNanos += cpu.get().toNanos();
      long[] switches = contextSwitches(pid);
      if (switches == null || voluntary < 0) {
        voluntary = -1;
        involuntary = -1;
      } else {
        voluntary += switches[0];
        involuntary += switches[1];
      }
    }
    return Optional.of(new Sample(cpuNanos, voluntary, involuntary));
  }

  /**
   * {voluntary, involuntary} over the process's live threads, or null where /proc lacks them. A
   * thread that ends while it is read is skipped: its counts go with it either way.
   */
  private static long[] contextSwitches(long pid) {
    long[] sum = new long[2];
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      Iterator<Path> each = tasks.iterator();
      while (true) {
        Path task;
        try {
          if (!each.hasNext()) {
            return sum;
          }
          task = each.next();
        } catch (DirectoryIteratorException e) {
          return sum; // the listing broke off as threads ended; what was read still counts
        }
        addSwitches(task, sum);
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static void addSwitches(Path task, long[] sum) {
    List<String> status;
    try {
      status = Files.readAllLines(task.resolve("status"));
    } catch (IOException e) {
      return; // the thread ended since the listing
    }
    for (String line : status) {
      if (line.startsWith("voluntary_ctxt_switches:")) {
        sum[0] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
        sum[1] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      }
    }
  }
}
