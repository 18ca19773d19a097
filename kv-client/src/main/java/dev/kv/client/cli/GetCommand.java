package dev.kv.client.cli;

import dev.kv.client.KvClient;
import dev.kv.client.ReadConsistency;
import dev.kv.client.VersionedValue;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kvctl get KEY}. */
@Command(
    name = "get",
    description = {
      "Prints the value of KEY, decoded as UTF-8, followed by a newline.",
      "If KEY does not exist, prints \"key not found: KEY\" to stderr and exits with 1."
    })
final class GetCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "KEY", description = "The key to read.")
  String key;

  @Option(
      names = "--serializable",
      description =
          "Read from the node that receives the request, without a quorum round trip: cheaper,"
              + " but it may miss recent writes. Default: linearizable.")
  boolean serializable;

  @Option(
      names = "--show-version",
      description =
          "Print VERSION<TAB>VALUE instead of VALUE. The value comes last, so it may contain"
              + " tabs.")
  boolean showVersion;

  @Override
  int run(KvClient client) {
    ReadConsistency consistency =
        serializable ? ReadConsistency.SERIALIZABLE : ReadConsistency.LINEARIZABLE;
    Optional<VersionedValue> value = client.get(utf8(key), consistency);
    if (value.isEmpty()) {
      err().println("key not found: " + key);
      return ExitCodes.NOT_FOUND_OR_CONDITION_FAILED;
    }
    String text = value.get().valueAsString();
    out().println(showVersion ? value.get().version() + "\t" + text : text);
    return ExitCodes.OK;
  }
}
