package dev.kv.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes results as JSON for later comparison and plotting. The layout is explicit here rather than
 * derived from the records, so renaming a Java field never changes the file format:
 *
 * <pre>
 * { "environment": {...free-form strings...},
 *   "results": [ { "workload", "description", "backend", "clients", "writeFraction",
 *                  "readConsistency", "keys", "valueSize", "warmupSeconds", "measuredSeconds",
 *                  "ops", "opsPerSecond", "latencyMs": {"mean","p50","p99","p999","max"},
 *                  "errors", "errorsByKind": {kind: count},
 *                  "server": {"cpuSeconds", "cpuMillisPerOp", "voluntaryContextSwitches",
 *                             "involuntaryContextSwitches", "contextSwitchesPerOp"} } ],
 *                  (server: only where measured; switches null where unknown)
 *   "ratios": { "writes": x|null, "reads": y|null },      (compare-etcd only)
 *   "goals": [ { "goal", "measured", "met": true|false|null } ] }   (compare-etcd only)
 * </pre>
 */
final class JsonReport {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  static void write(
      Path file,
      Map<String, String> environment,
      List<RunResult> results,
      Optional<Ratios> ratios,
      Optional<Goals> goals)
      throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    MAPPER.writeValue(file.toFile(), toJson(environment, results, ratios, goals));
  }

  static ObjectNode toJson(
      Map<String, String> environment,
      List<RunResult> results,
      Optional<Ratios> ratios,
      Optional<Goals> goals) {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode env = root.putObject("environment");
    environment.forEach(env::put);
    ArrayNode array = root.putArray("results");
    for (RunResult r : results) {
      array.add(toJson(r));
    }
    ratios.ifPresent(
        x -> {
          ObjectNode node = root.putObject("ratios");
          if (x.writes().isPresent()) {
            node.put("writes", x.writes().getAsDouble());
          } else {
            node.putNull("writes");
          }
          if (x.reads().isPresent()) {
            node.put("reads", x.reads().getAsDouble());
          } else {
            node.putNull("reads");
          }
        });
    goals.ifPresent(
        x -> {
          ArrayNode list = root.putArray("goals");
          for (Goals.Goal g : x.goals()) {
            ObjectNode node = list.addObject();
            node.put("goal", g.name());
            node.put("measured", g.measured());
            if (g.met().isPresent()) {
              node.put("met", g.met().get());
            } else {
              node.putNull("met");
            }
          }
        });
    return root;
  }

  private static ObjectNode toJson(RunResult r) {
    Workload w = r.workload();
    ObjectNode node = MAPPER.createObjectNode();
    node.put("workload", w.name());
    node.put("description", w.description());
    node.put("backend", r.backend());
    node.put("clients", w.clients());
    node.put("writeFraction", w.writeFraction());
    node.put("readConsistency", w.readConsistency().name().toLowerCase(Locale.ROOT));
    node.put("keys", w.keys());
    node.put("valueSize", w.valueSize());
    node.put("warmupSeconds", w.warmup().toMillis() / 1000.0);
    node.put("measuredSeconds", r.measuredSeconds());
    node.put("ops", r.latency().count());
    node.put("opsPerSecond", r.opsPerSecond());
    LatencySummary l = r.latency();
    ObjectNode latency = node.putObject("latencyMs");
    latency.put("mean", l.meanMicros() / 1000.0);
    latency.put("p50", LatencySummary.millis(l.p50Micros()));
    latency.put("p99", LatencySummary.millis(l.p99Micros()));
    latency.put("p999", LatencySummary.millis(l.p999Micros()));
    latency.put("max", LatencySummary.millis(l.maxMicros()));
    node.put("errors", r.errors());
    ObjectNode kinds = node.putObject("errorsByKind");
    r.errorsByKind().forEach(kinds::put);
    r.serverCost().ifPresent(c -> {
      ObjectNode server = node.putObject("server");
      server.put("cpuSeconds", c.cpu().toNanos() / 1e9);
      server.put("cpuMillisPerOp", c.cpuMillisPerOp(l.count()));
      Optional<Double> perOp = c.switchesPerOp(l.count());
      if (perOp.isPresent()) {
        server.put("voluntaryContextSwitches", c.voluntarySwitches());
        server.put("involuntaryContextSwitches", c.involuntarySwitches());
        server.put("contextSwitchesPerOp", perOp.get());
      } else {
        server.putNull("voluntaryContextSwitches");
        server.putNull("involuntaryContextSwitches");
        server.putNull("contextSwitchesPerOp");
      }
    });
    return node;
  }
}
