package dev.kv.client.cli;

import dev.kv.client.KvClient;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A kvctl subcommand that talks to the cluster: opens a client from the global options, runs, and
 * closes it. Failures propagate to {@link Kvctl}'s handler, which maps them to exit codes.
 */
abstract class ClientCommand implements Callable<Integer> {
  @ParentCommand Kvctl kvctl;

  @Spec CommandSpec spec;

  @Override
  public final Integer call() {
    try (KvClient client = kvctl.openClient()) {
      return run(client);
    }
  }

  /** Runs the command and returns its exit code. */
  abstract int run(KvClient client);

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
