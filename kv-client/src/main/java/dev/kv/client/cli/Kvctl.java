package dev.kv.client.cli;

import dev.kv.client.KvClient;
import dev.kv.client.KvException;
import dev.kv.client.KvInvalidArgumentException;
import dev.kv.client.KvOutcomeUnknownException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The kvctl command line: global options, subcommands, and the mapping from outcomes to exit codes.
 * Each subcommand owns one operation; this class owns only what they share.
 */
@Command(
    name = "kvctl",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = Kvctl.Version.class,
    description = "Reads and writes the kv key-value store.",
    subcommands = {
      GetCommand.class,
      PutCommand.class,
      DeleteCommand.class,
      ScanCommand.class,
      AdminCommands.Cluster.class,
      AdminCommands.Group.class,
      AdminCommands.Node.class,
      SnapshotCommand.class,
      RestoreCommand.class,
      HelpCommand.class
    },
    footerHeading = "%n",
    footer = "Keys and values on the command line and in the output are UTF-8 text.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:key not found (get), the condition did not hold (--if-version, --if-absent), or the"
          + " cluster is unhealthy (cluster health)",
      "2:usage error, or an argument the service rejects (e.g. a key over the size limit)",
      "3:server or connection error; stderr names the gRPC status"
    })
public final class Kvctl implements Callable<Integer> {
  static final String ENDPOINTS_ENV = "KV_ENDPOINTS";
  static final List<String> DEFAULT_ENDPOINTS =
      List.of("127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003");

  @Spec CommandSpec spec;

  @Option(
      names = "--endpoints",
      split = ",",
      paramLabel = "HOST:PORT",
      scope = ScopeType.INHERIT,
      description =
          "Nodes to contact, comma-separated. Default: $"
              + ENDPOINTS_ENV
              + ", else 127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003.")
  List<String> endpoints;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      scope = ScopeType.INHERIT,
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "Time for the whole request, retries included, e.g. 500ms, 10s, 1m."
              + " Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  private final ClientFactory clientFactory;
  private final Function<String, String> environment;

  /** The real command: connects over the network and reads the process environment. */
  public Kvctl() {
    this(
        (endpoints, timeout) -> KvClient.builder().endpoints(endpoints).timeout(timeout).build(),
        System::getenv);
  }

  Kvctl(ClientFactory clientFactory, Function<String, String> environment) {
    this.clientFactory = Objects.requireNonNull(clientFactory, "clientFactory");
    this.environment = Objects.requireNonNull(environment, "environment");
  }

  public static void main(String[] args) {
    // Explicit UTF-8: the platform default follows the locale and may be ASCII, which would
    // mangle values.
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8));
    int exitCode = new Kvctl().execute(args, out, err);
    out.flush();
    err.flush();
    System.exit(exitCode);
  }

  /**
   * Parses and runs {@code args}, writing to {@code out} and {@code err}; returns the exit code.
   */
  int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine commandLine =
        new CommandLine(this)
            .setOut(out)
            .setErr(err)
            .setParameterExceptionHandler(Kvctl::usageError)
            .setExecutionExceptionHandler(Kvctl::operationFailed);
    return commandLine.execute(args);
  }

  /** Without a subcommand there is nothing to do. */
  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing a command: get, put, delete or scan");
  }

  /** Opens a client from the global options; a malformed endpoint is a usage error. */
  KvClient openClient() {
    try {
      return clientFactory.connect(resolveEndpoints(), timeout);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "invalid --endpoints: " + e.getMessage(), e);
    }
  }

  List<String> resolveEndpoints() {
    if (endpoints != null) {
      return endpoints;
    }
    String fromEnvironment = environment.apply(ENDPOINTS_ENV);
    if (fromEnvironment == null || fromEnvironment.isBlank()) {
      return DEFAULT_ENDPOINTS;
    }
    return Arrays.stream(fromEnvironment.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    err.println("kvctl: " + e.getMessage());
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println(
        "Try '" + commandLine.getCommandSpec().qualifiedName() + " --help' for more information.");
    return ExitCodes.USAGE;
  }

  private static int operationFailed(Exception e, CommandLine commandLine, ParseResult parsed) {
    PrintWriter err = commandLine.getErr();
    if (e instanceof KvInvalidArgumentException) {
      err.println("kvctl: invalid argument: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    if (e instanceof KvOutcomeUnknownException unknown) {
      err.println("kvctl: outcome unknown (" + unknown.code() + "): " + e.getMessage());
      return ExitCodes.SERVICE_ERROR;
    }
    if (e instanceof KvException failure) {
      err.println("kvctl: " + failure.code() + ": " + e.getMessage());
      return ExitCodes.SERVICE_ERROR;
    }
    err.println("kvctl: unexpected error: " + e);
    e.printStackTrace(err);
    return ExitCodes.SERVICE_ERROR;
  }

  /** Reports the version from the jar manifest. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Kvctl.class.getPackage().getImplementationVersion();
      return new String[] {"kvctl " + (version != null ? version : "(development build)")};
    }
  }
}
