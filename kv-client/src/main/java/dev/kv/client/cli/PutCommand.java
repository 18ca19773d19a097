package dev.kv.client.cli;

import dev.kv.client.CasResult;
import dev.kv.client.Condition;
import dev.kv.client.KvClient;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code kvctl put KEY VALUE}, optionally conditional. */
@Command(
    name = "put",
    description = {
      "Writes VALUE under KEY and prints the key's new version, e.g. \"version 3\".",
      "With --if-version or --if-absent the write happens only if the condition holds;"
          + " otherwise it prints \"condition failed; current version N\" to stderr (0 when the"
          + " key is absent) and exits with 1."
    })
final class PutCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "KEY", description = "The key to write.")
  String key;

  @Parameters(index = "1", paramLabel = "VALUE", description = "The value to write.")
  String value;

  @ArgGroup(exclusive = true)
  PutCondition condition;

  /** At most one condition per write. */
  static final class PutCondition {
    @Option(
        names = "--if-version",
        paramLabel = "N",
        description = "Write only if KEY exists with version N (N >= 1).")
    Long version;

    @Option(names = "--if-absent", description = "Write only if KEY does not exist.")
    boolean absent;
  }

  @Override
  int run(KvClient client) {
    if (condition == null) {
      out().println("version " + client.put(utf8(key), utf8(value)));
      return ExitCodes.OK;
    }
    CasResult result = client.compareAndSet(utf8(key), toCondition(), utf8(value));
    if (!result.succeeded()) {
      err().println("condition failed; current version " + result.version());
      return ExitCodes.NOT_FOUND_OR_CONDITION_FAILED;
    }
    out().println("version " + result.version());
    return ExitCodes.OK;
  }

  private Condition toCondition() {
    if (condition.absent) {
      return Condition.absent();
    }
    return VersionOption.condition(spec.commandLine(), condition.version);
  }

  /** Shared check for --if-version, so put and delete report a bad N the same way. */
  static final class VersionOption {
    private VersionOption() {}

    static Condition condition(picocli.CommandLine commandLine, long version) {
      if (version < 1) {
        throw new ParameterException(
            commandLine, "--if-version is " + version + "; it must be >= 1");
      }
      return Condition.versionEquals(version);
    }
  }
}
