package dev.kv.chaos.nemesis;

import dev.kv.chaos.cluster.ClusterNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Network partitions between cluster nodes as host iptables rules in the DOCKER-USER chain (bridge
 * netfilter is on, so container-to-container traffic passes it). Owns exactly the rules it added
 * and removes exactly those; each carries a comment with the owning JVM's pid, so a later run can
 * remove the rules of a run that died ({@link #sweepOrphans}). Only ever names addresses of the
 * cluster's own containers.
 */
public final class Partitions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Partitions.class);
  private static final String CHAIN = "DOCKER-USER";
  private static final String COMMENT_PREFIX = "kv-chaos-";

  private final String comment = COMMENT_PREFIX + ProcessHandle.current().pid();
  /** Each rule as (table, spec), in the order added. */
  private final List<List<String>> added = new ArrayList<>(); // guarded by this

  /** Drops all traffic between every node of {@code side} and every node of {@code other}. */
  public synchronized void cut(Collection<ClusterNode> side, Collection<ClusterNode> other) {
    for (ClusterNode a : side) {
      for (ClusterNode b : other) {
        cutOneWay(a, b);
        cutOneWay(b, a);
      }
    }
  }

  /** Drops the traffic {@code to} receives from {@code from}; the other direction still flows. */
  public synchronized void dropFrom(ClusterNode from, ClusterNode to) {
    cutOneWay(from, to);
  }

  private void cutOneWay(ClusterNode from, ClusterNode to) {
    add("filter", CHAIN, List.of("-s", from.ip() + "/32", "-d", to.ip() + "/32", "-m", "comment",
        "--comment", comment, "-j", "DROP"));
  }

  /**
   * Sends new TCP connections from {@code from} to {@code to}'s {@code port} to {@code
   * proxyHost:proxyPort} instead (a DNAT rule), and resets the connections already open between
   * them (a REJECT rule on forwarded packets, which redirected connections no longer are), so
   * they reconnect through the proxy.
   */
  public synchronized void redirect(ClusterNode from, ClusterNode to, int port, String proxyHost,
      int proxyPort) {
    add("nat", "PREROUTING", List.of("-s", from.ip() + "/32", "-d", to.ip() + "/32", "-p", "tcp",
        "--dport", Integer.toString(port), "-m", "comment", "--comment", comment, "-j", "DNAT",
        "--to-destination", proxyHost + ":" + proxyPort));
    add("filter", CHAIN, List.of("-s", from.ip() + "/32", "-d", to.ip() + "/32", "-p", "tcp",
        "--dport", Integer.toString(port), "-m", "comment", "--comment", comment, "-j", "REJECT",
        "--reject-with", "tcp-reset"));
  }

  private void add(String table, String chain, List<String> spec) {
    List<String> rule = new ArrayList<>(List.of("-t", table, "-I", chain));
    rule.addAll(spec);
    run(withPrefix(rule));
    List<String> delete = new ArrayList<>(rule);
    delete.set(2, "-D");
    added.add(delete);
  }

  private static List<String> withPrefix(List<String> args) {
    List<String> command = new ArrayList<>(List.of("iptables", "-w"));
    command.addAll(args);
    return command;
  }

  /** Removes every rule this object added, newest first. */
  public synchronized void healAll() {
    while (!added.isEmpty()) {
      List<String> delete = added.remove(added.size() - 1);
      try {
        run(withPrefix(delete));
      } catch (RuntimeException e) {
        LOG.warn("could not remove iptables rule {}: {}", delete, e.toString());
      }
    }
  }

  /** Whether any rule of this object is in place. */
  public synchronized boolean isCut() {
    return !added.isEmpty();
  }

  @Override
  public void close() {
    healAll();
  }

  /** Removes the rules of chaos runs whose JVM is gone. Leaves every other rule alone. */
  public static void sweepOrphans() {
    sweepOrphans("filter", CHAIN);
    sweepOrphans("nat", "PREROUTING");
  }

  private static void sweepOrphans(String table, String chain) {
    Pattern owned = Pattern.compile(
        "^-A " + chain + " (.*--comment \"?" + COMMENT_PREFIX + "(\\d+)\"? .*)$");
    String rules = run(List.of("iptables", "-w", "-t", table, "-S", chain));
    for (String line : rules.split("\n")) {
      Matcher m = owned.matcher(line.trim());
      if (!m.matches()) {
        continue;
      }
      long pid = Long.parseLong(m.group(2));
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        continue;
      }
      List<String> command =
          new ArrayList<>(List.of("iptables", "-w", "-t", table, "-D", chain));
      for (String word : m.group(1).split(" ")) {
        command.add(word.replace("\"", ""));
      }
      LOG.info("removing iptables rule left by dead chaos run {}: {}", pid, line);
      run(command);
    }
  }

  private static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in 60 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + p.exitValue() + ": " + out.trim());
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
    }
  }
}
