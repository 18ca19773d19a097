package dev.kv.bench;

import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParseResult;

/**
 * The kv-bench command line: a closed-loop load driver ({@code run}), a side-by-side comparison
 * with etcd on this machine ({@code compare-etcd}) and YCSB's core workloads ({@code ycsb}). Each
 * subcommand owns its options; this class owns only the entry point.
 */
@Command(
    name = "kv-bench",
    mixinStandardHelpOptions = true,
    versionProvider = KvBench.Version.class,
    description = "Benchmarks kv, and compares it with etcd on the same machine.",
    subcommands = {
      RunCommand.class,
      CompareEtcdCommand.class,
      YcsbCommand.class,
      HelpCommand.class
    })
public final class KvBench {

  /** The version in the jar's manifest (absent when run from classes, in tests). */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = KvBench.class.getPackage().getImplementationVersion();
      return new String[] {"kv-bench " + (version != null ? version : "(development build)")};
    }
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new KvBench())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(KvBench::reportFailure);
  }

  /** A failed run is reported in one line (with its cause), not as a stack trace. */
  private static int reportFailure(Exception e, CommandLine command, ParseResult parsed) {
    Throwable shown = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    command.getErr().println("kv-bench: " + shown);
    if (System.getenv("KV_BENCH_DEBUG") != null) {
      shown.printStackTrace(command.getErr());
    }
    return 1;
  }
}
