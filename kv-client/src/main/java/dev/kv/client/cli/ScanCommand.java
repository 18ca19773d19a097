package dev.kv.client.cli;

import dev.kv.client.KeyValue;
import dev.kv.client.KvClient;
import dev.kv.client.ReadConsistency;
import dev.kv.client.ScanOptions;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code kvctl scan}: prints entries, paging through the whole range. */
@Command(
    name = "scan",
    description = {
      "Prints one KEY<TAB>VALUE line per entry (just KEY with --keys-only), decoded as UTF-8,"
          + " fetching page after page until the end or --limit.",
      "Entries come in the store's order (by key hash), not sorted by key."
    })
final class ScanCommand extends ClientCommand {
  @Option(
      names = "--prefix",
      paramLabel = "PREFIX",
      description = "Only keys starting with PREFIX.")
  String prefix = "";

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "Print at most N entries in total. Default: all.")
  Long limit;

  @Option(
      names = "--page-size",
      paramLabel = "N",
      description = "Entries fetched per request, 1..1000. Default: the server's (100).")
  int pageSize;

  @Option(names = "--keys-only", description = "Print keys only, without fetching values.")
  boolean keysOnly;

  @Option(
      names = "--serializable",
      description =
          "Read from the node that receives each request, without a quorum round trip: cheaper,"
              + " but it may miss recent writes. Default: linearizable.")
  boolean serializable;

  @Override
  int run(KvClient client) {
    if (limit != null && limit < 1) {
      throw new ParameterException(spec.commandLine(), "--limit is " + limit + "; it must be >= 1");
    }
    ScanOptions options =
        ScanOptions.builder()
            .prefix(prefix)
            .limit(pageSize)
            .keysOnly(keysOnly)
            .consistency(serializable ? ReadConsistency.SERIALIZABLE : ReadConsistency.LINEARIZABLE)
            .build();
    Stream<KeyValue> entries = client.scanAll(options);
    if (limit != null) {
      entries = entries.limit(limit);
    }
    entries.forEach(
        entry ->
            out()
                .println(
                    keysOnly
                        ? entry.keyAsString()
                        : entry.keyAsString() + "\t" + entry.valueAsString()));
    return ExitCodes.OK;
  }
}
