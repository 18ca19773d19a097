package dev.kv.chaos.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stores a {@link History} as JSON lines: one JSON object per line, operations and nemesis events
 * interleaved in time order, so the file can be read (and grepped) like a log and a later tool can
 * stream it. The field names are a stable format; change them only together with every reader.
 *
 * <pre>
 * {"type":"op","id":7,"process":2,"key":"k1","kind":"CAS","condition":{"version_equals":3},
 *  "value":"p2-5","call":1200,"return":1900,"outcome":"OK","output":{"succeeded":true,"version":4}}
 * {"type":"op","id":8,"process":3,"key":"k1","kind":"GET","call":1300,"return":1500,
 *  "outcome":"OK","output":{"found":true,"value":"p1-4","version":3}}
 * {"type":"op","id":9,"process":0,"key":"k2","kind":"PUT","value":"p0-9","call":1400,
 *  "outcome":"INDETERMINATE","error":"DEADLINE_EXCEEDED"}
 * {"type":"nemesis","name":"partition-majority","phase":"START","time":1450}
 * </pre>
 *
 * <p>(Each object is on one line in a file; they are wrapped here.) Absent fields: {@code
 * condition} except for CAS, {@code value} for GET, {@code return} for INDETERMINATE, {@code
 * output} unless OK, {@code error} when there is none. A PUT's output is {@code {"version":N}}; a
 * GET of an absent key reads {@code {"found":false,"version":0}}. Conditions mirror the proto:
 * {@code {"version_equals":N}}, {@code {"value_equals":"v"}}, {@code {"absent":true}}.
 */
public final class HistoryJsonLines {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HistoryJsonLines() {}

  /** Writes the history to a UTF-8 file, replacing it. */
  public static void write(History history, Path file) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      write(history, out);
    }
  }

  /** Writes the history as JSON lines, in time order (an operation's time is its call). */
  public static void write(History history, Writer out) throws IOException {
    List<Operation> operations = new ArrayList<>(history.operations());
    operations.sort((a, b) -> Long.compare(a.callNanos(), b.callNanos()));
    List<NemesisEvent> events = history.nemesisEvents();
    int o = 0;
    int e = 0;
    while (o < operations.size() || e < events.size()) {
      boolean takeEvent =
          o == operations.size()
              || (e < events.size() && events.get(e).timeNanos() <= operations.get(o).callNanos());
      out.write(takeEvent ? toLine(events.get(e++)) : toLine(operations.get(o++)));
      out.write('\n');
    }
  }

  /** Reads a history from a UTF-8 file. */
  public static History read(Path file) throws IOException {
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(in);
    }
  }

  /**
   * Reads a history written by {@link #write}. Blank lines are skipped.
   *
   * @throws IOException if a line is not one of the objects this format defines; the message names
   *     the line
   */
  public static History read(Reader in) throws IOException {
    BufferedReader lines = in instanceof BufferedReader b ? b : new BufferedReader(in);
    List<Operation> operations = new ArrayList<>();
    List<NemesisEvent> events = new ArrayList<>();
    int lineNumber = 0;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      lineNumber++;
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode node = JSON.readTree(line);
        String type = text(node, "type");
        switch (type) {
          case "op" -> operations.add(operation(node));
          case "nemesis" -> events.add(nemesisEvent(node));
          default -> throw new IllegalArgumentException("unknown type '" + type + "'");
        }
      } catch (JsonProcessingException | IllegalArgumentException | ArithmeticException ex) {
        throw new IOException("history line " + lineNumber + ": " + ex.getMessage(), ex);
      }
    }
    return new History(operations, events);
  }

  /** One operation as a line of JSON, without the line break. */
  public static String toLine(Operation op) {
    ObjectNode node = JSON.createObjectNode();
    node.put("type", "op");
    node.put("id", op.id());
    node.put("process", op.process());
    node.put("key", op.key());
    node.put("kind", op.kind().name());
    if (op.condition() != null) {
      node.set("condition", condition(op.condition()));
    }
    if (op.value() != null) {
      node.put("value", op.value());
    }
    node.put("call", op.callNanos());
    if (op.returned()) {
      node.put("return", op.returnNanos());
    }
    node.put("outcome", op.outcome().name());
    if (op.output() != null) {
      node.set("output", output(op.output()));
    }
    if (op.error() != null) {
      node.put("error", op.error());
    }
    return asString(node);
  }

  /** One nemesis event as a line of JSON, without the line break. */
  public static String toLine(NemesisEvent event) {
    ObjectNode node = JSON.createObjectNode();
    node.put("type", "nemesis");
    node.put("name", event.name());
    node.put("phase", event.phase().name());
    node.put("time", event.timeNanos());
    return asString(node);
  }

  private static ObjectNode condition(CasCondition condition) {
    ObjectNode node = JSON.createObjectNode();
    if (condition instanceof CasCondition.VersionEquals v) {
      node.put("version_equals", v.version());
    } else if (condition instanceof CasCondition.ValueEquals v) {
      node.put("value_equals", v.value());
    } else {
      node.put("absent", true);
    }
    return node;
  }

  private static ObjectNode output(Output output) {
    ObjectNode node = JSON.createObjectNode();
    if (output instanceof Output.ReadResult r) {
      node.put("found", r.found());
      if (r.found()) {
        node.put("value", r.value());
      }
      node.put("version", r.version());
    } else if (output instanceof Output.PutResult p) {
      node.put("version", p.version());
    } else if (output instanceof Output.CasResult c) {
      node.put("succeeded", c.succeeded());
      node.put("version", c.version());
    }
    return node;
  }

  private static Operation operation(JsonNode node) {
    OpKind kind = OpKind.valueOf(text(node, "kind"));
    Outcome outcome = Outcome.valueOf(text(node, "outcome"));
    JsonNode condition = node.get("condition");
    JsonNode output = node.get("output");
    return new Operation(
        number(node, "id"),
        Math.toIntExact(number(node, "process")),
        text(node, "key"),
        kind,
        condition == null ? null : condition(condition),
        node.has("value") ? text(node, "value") : null,
        number(node, "call"),
        node.has("return") ? number(node, "return") : Operation.NEVER_RETURNED,
        outcome,
        output == null ? null : output(kind, output),
        node.has("error") ? text(node, "error") : null);
  }

  private static CasCondition condition(JsonNode node) {
    if (node.has("version_equals")) {
      return CasCondition.versionEquals(number(node, "version_equals"));
    }
    if (node.has("value_equals")) {
      return CasCondition.valueEquals(text(node, "value_equals"));
    }
    if (node.path("absent").asBoolean(false)) {
      return CasCondition.absent();
    }
    throw new IllegalArgumentException("unknown condition " + node);
  }

  private static Output output(OpKind kind, JsonNode node) {
    return switch (kind) {
      case GET ->
          new Output.ReadResult(
              bool(node, "found"),
              node.has("value") ? text(node, "value") : null,
              number(node, "version"));
      case PUT -> Output.put(number(node, "version"));
      case CAS -> Output.cas(bool(node, "succeeded"), number(node, "version"));
    };
  }

  private static NemesisEvent nemesisEvent(JsonNode node) {
    return new NemesisEvent(
        text(node, "name"), NemesisEvent.Phase.valueOf(text(node, "phase")), number(node, "time"));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("field '" + field + "' must be a string in " + node);
    }
    return value.textValue();
  }

  private static long number(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.canConvertToLong() || !value.isIntegralNumber()) {
      throw new IllegalArgumentException("field '" + field + "' must be an integer in " + node);
    }
    return value.longValue();
  }

  private static boolean bool(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isBoolean()) {
      throw new IllegalArgumentException("field '" + field + "' must be true or false in " + node);
    }
    return value.booleanValue();
  }

  private static String asString(ObjectNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      // A tree of strings, numbers and booleans always serializes.
      throw new UncheckedIOException(e);
    }
  }
}
