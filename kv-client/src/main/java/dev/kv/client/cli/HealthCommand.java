package dev.kv.client.cli;

import com.google.gson.stream.JsonWriter;
import dev.kv.api.v1.ClusterStatus;
import dev.kv.api.v1.GetStatusRequest;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code kvctl cluster health}: one verdict on the whole cluster, for people and scripts. It reads
 * the cluster status once and applies {@link ClusterHealth}'s rules; exit 0 means healthy, 1
 * unhealthy (stderr names each broken rule), 3 that no node answered.
 */
@Command(
    name = "health",
    description = {
      "Checks that every node answers, every group has a leader and a quorum of replicas that are"
          + " up and caught up, and the placement map is settled.",
      "Exit 0 healthy, 1 unhealthy (the reasons on stderr), 3 no node answered."
    })
final class HealthCommand implements Callable<Integer> {
  static final long DEFAULT_MAX_LAG = 100;

  @ParentCommand AdminCommands.Cluster parent;
  @Spec CommandSpec spec;

  @Option(names = {"-o", "--output"}, defaultValue = "table",
      description = "table or json. Default: ${DEFAULT-VALUE}.")
  String output;

  @Option(names = "--max-lag", paramLabel = "ENTRIES", defaultValue = "" + DEFAULT_MAX_LAG,
      description = "A replica whose applied index trails its group's commit index by more than"
          + " this many log entries is not counted as caught up. Default: ${DEFAULT-VALUE}.")
  long maxLag;

  @Override
  public Integer call() throws IOException {
    if (!output.equals("table") && !output.equals("json")) {
      throw new ParameterException(spec.commandLine(), "-o must be table or json, not " + output);
    }
    if (maxLag < 0) {
      throw new ParameterException(spec.commandLine(), "--max-lag is " + maxLag + "; it must be >= 0");
    }
    ClusterStatus status;
    try {
      status = AdminCommands.call(parent.kvctl, s -> s.getStatus(GetStatusRequest.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      return AdminCommands.failed(spec.commandLine().getErr(), e);
    }
    ClusterHealth.Report report = ClusterHealth.evaluate(status, maxLag);
    PrintWriter out = spec.commandLine().getOut();
    if (output.equals("json")) {
      printJson(out, report);
    } else {
      printTable(out, report);
    }
    out.flush();
    if (report.healthy()) {
      return ExitCodes.OK;
    }
    PrintWriter err = spec.commandLine().getErr();
    for (ClusterHealth.Check problem : report.problems()) {
      err.println("kvctl: unhealthy: " + label(problem) + ": " + problem.detail());
    }
    return ExitCodes.UNHEALTHY;
  }

  private static String label(ClusterHealth.Check check) {
    return check.kind().name().toLowerCase(Locale.ROOT) + " " + check.subject();
  }

  static void printTable(PrintWriter out, ClusterHealth.Report report) {
    int failed = report.problems().size();
    out.printf("cluster health: %s (placement epoch %d, max lag %d entries)%n%n",
        report.healthy() ? "HEALTHY"
            : "UNHEALTHY, " + failed + " of " + report.checks().size() + " checks failed",
        report.placementEpoch(), report.maxLag());
    out.printf("%-10s %-10s %-6s %s%n", "CHECK", "SUBJECT", "STATUS", "DETAIL");
    for (ClusterHealth.Check c : report.checks()) {
      out.printf("%-10s %-10s %-6s %s%n", c.kind().name().toLowerCase(Locale.ROOT), c.subject(),
          c.ok() ? "ok" : "FAIL", c.detail());
    }
  }

  static void printJson(PrintWriter out, ClusterHealth.Report report) throws IOException {
    JsonWriter json = new JsonWriter(out);
    json.setIndent("  ");
    json.beginObject()
        .name("healthy").value(report.healthy())
        .name("placementEpoch").value(report.placementEpoch())
        .name("maxLag").value(report.maxLag());
    json.name("checks").beginArray();
    for (ClusterHealth.Check c : report.checks()) {
      json.beginObject()
          .name("kind").value(c.kind().name().toLowerCase(Locale.ROOT))
          .name("subject").value(c.subject())
          .name("ok").value(c.ok())
          .name("detail").value(c.detail())
          .endObject();
    }
    json.endArray();
    json.name("problems").beginArray();
    for (ClusterHealth.Check c : report.problems()) {
      json.value(label(c) + ": " + c.detail());
    }
    json.endArray().endObject();
    json.flush();
    out.println();
  }
}
