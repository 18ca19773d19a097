package dev.kv.server;

import dev.kv.server.config.KvdCommand;
import dev.kv.server.config.NodeConfig;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** {@code kvd}: runs one node until SIGTERM, then stops it gracefully. */
public final class Kvd {
  private static final Logger LOG = LoggerFactory.getLogger(Kvd.class);
  /** Exit status when the node stops itself because it cannot continue safely. */
  static final int EXIT_FATAL = 70;

  private Kvd() {}

  public static void main(String[] args) throws Exception {
    CommandLine cli = new CommandLine(new KvdCommand());
    NodeConfig config;
    try {
      CommandLine.ParseResult parsed = cli.parseArgs(args);
      if (CommandLine.printHelpIfRequested(parsed)) {
        return;
      }
      config = ((KvdCommand) cli.getCommand()).call();
    } catch (CommandLine.ParameterException | IllegalArgumentException e) {
      System.err.println("kvd: " + e.getMessage());
      System.err.println("Run kvd --help for the options.");
      System.exit(2);
      return;
    }
    KvNode node = KvNode.start(config, Kvd::halt);
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "kvd-shutdown"));
    watchRaftServer(node);
    LOG.info("kvd {} serving: api {} raft {} data {}", config.nodeId(), config.apiAddress(),
        config.raftAddress(), config.dataDir().toAbsolutePath());
    System.out.println("kvd " + config.nodeId() + " serving on " + config.apiAddress());
    node.awaitTermination();
  }

  /**
   * Ratis closes its whole server after a long JVM pause while the process lives on; a node in
   * that state would answer nothing, so it exits and is restarted by its supervisor.
   */
  private static void watchRaftServer(KvNode node) {
    ScheduledExecutorService watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kvd-raft-watchdog");
              t.setDaemon(true);
              return t;
            });
    watchdog.scheduleWithFixedDelay(
        () -> {
          if (!node.isStopping()
              && node.raft().server().getLifeCycleState() == LifeCycle.State.CLOSED) {
            halt("the Raft server closed itself", null);
          }
        },
        1, 1, TimeUnit.SECONDS);
  }

  /** Stops the process at once: no shutdown hooks, which would touch the failed storage. */
  static void halt(String what, Throwable cause) {
    LOG.error("FATAL: {}; stopping this node", what, cause);
    System.err.println("kvd: FATAL: " + what + (cause == null ? "" : ": " + cause));
    Runtime.getRuntime().halt(EXIT_FATAL);
  }
}
