package dev.kv.client.cli;

import dev.kv.client.CasResult;
import dev.kv.client.KvClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kvctl delete KEY}, optionally conditional. */
@Command(
    name = "delete",
    description = {
      "Deletes KEY and prints \"deleted\", or \"not found\" if it did not exist; both exit"
          + " with 0, since either way KEY is now absent.",
      "With --if-version the delete happens only if KEY has that version; otherwise it prints"
          + " \"condition failed; current version N\" to stderr and exits with 1."
    })
final class DeleteCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "KEY", description = "The key to delete.")
  String key;

  @Option(
      names = "--if-version",
      paramLabel = "N",
      description = "Delete only if KEY exists with version N (N >= 1).")
  Long ifVersion;

  @Override
  int run(KvClient client) {
    if (ifVersion == null) {
      out().println(client.delete(utf8(key)) ? "deleted" : "not found");
      return ExitCodes.OK;
    }
    CasResult result =
        client.compareAndSet(
            utf8(key), PutCommand.VersionOption.condition(spec.commandLine(), ifVersion), null);
    if (!result.succeeded()) {
      err().println("condition failed; current version " + result.version());
      return ExitCodes.NOT_FOUND_OR_CONDITION_FAILED;
    }
    out().println("deleted");
    return ExitCodes.OK;
  }
}
