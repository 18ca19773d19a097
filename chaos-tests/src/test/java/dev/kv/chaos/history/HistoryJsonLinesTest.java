package dev.kv.chaos.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryJsonLinesTest {

  /** One of everything the format holds. */
  private static History everything() {
    return new History(
        List.of(
            op(0, OpKind.GET, null, null, 10, 20, Outcome.OK, Output.read("v ü \"q\"\n", 3), null),
            op(1, OpKind.GET, null, null, 11, 21, Outcome.OK, Output.absent(), null),
            op(2, OpKind.PUT, null, "p", 12, 22, Outcome.OK, Output.put(4), null),
            op(
                3,
                OpKind.CAS,
                CasCondition.versionEquals(4),
                "c1",
                13,
                23,
                Outcome.OK,
                Output.cas(true, 5),
                null),
            op(
                4,
                OpKind.CAS,
                CasCondition.valueEquals("x"),
                "c2",
                14,
                24,
                Outcome.OK,
                Output.cas(false, 5),
                null),
            op(
                5,
                OpKind.CAS,
                CasCondition.absent(),
                "c3",
                15,
                25,
                Outcome.FAILED,
                null,
                "UNAVAILABLE"),
            op(
                6,
                OpKind.PUT,
                null,
                "q",
                16,
                Operation.NEVER_RETURNED,
                Outcome.INDETERMINATE,
                null,
                "DEADLINE_EXCEEDED"),
            op(
                7,
                OpKind.GET,
                null,
                null,
                -5,
                Operation.NEVER_RETURNED,
                Outcome.INDETERMINATE,
                null,
                null)),
        List.of(
            new NemesisEvent("partition {n1} {n2 n3}", NemesisEvent.Phase.START, 12),
            new NemesisEvent("partition {n1} {n2 n3}", NemesisEvent.Phase.STOP, 30)));
  }

  private static Operation op(
      long id,
      OpKind kind,
      CasCondition condition,
      String value,
      long call,
      long ret,
      Outcome outcome,
      Output output,
      String error) {
    return new Operation(
        id,
        (int) id % 3,
        "key-" + id % 2,
        kind,
        condition,
        value,
        call,
        ret,
        outcome,
        output,
        error);
  }

  @Test
  void roundTripKeepsEverything() throws IOException {
    StringWriter out = new StringWriter();

    HistoryJsonLines.write(everything(), out);
    History read = HistoryJsonLines.read(new StringReader(out.toString()));

    assertThat(read).isEqualTo(everything());
  }

  @Test
  void roundTripThroughAFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("history.jsonl");

    HistoryJsonLines.write(everything(), file);

    assertThat(HistoryJsonLines.read(file)).isEqualTo(everything());
    assertThat(Files.readAllLines(file)).hasSize(10);
  }

  @Test
  void linesAreInTimeOrderWithNemesisEventsBetweenOperations() throws IOException {
    StringWriter out = new StringWriter();

    HistoryJsonLines.write(everything(), out);

    assertThat(out.toString().lines().map(line -> line.substring(0, 22)))
        .containsExactly(
            "{\"type\":\"op\",\"id\":7,\"p",
            "{\"type\":\"op\",\"id\":0,\"p",
            "{\"type\":\"op\",\"id\":1,\"p",
            "{\"type\":\"nemesis\",\"nam",
            "{\"type\":\"op\",\"id\":2,\"p",
            "{\"type\":\"op\",\"id\":3,\"p",
            "{\"type\":\"op\",\"id\":4,\"p",
            "{\"type\":\"op\",\"id\":5,\"p",
            "{\"type\":\"op\",\"id\":6,\"p",
            "{\"type\":\"nemesis\",\"nam");
  }

  @Test
  void fieldNamesAreStable() {
    // Changing these lines breaks every stored history and every tool that reads them.
    Operation cas =
        new Operation(
            7,
            2,
            "k1",
            OpKind.CAS,
            CasCondition.versionEquals(3),
            "p2-5",
            1200,
            1900,
            Outcome.OK,
            Output.cas(true, 4),
            null);
    Operation get =
        new Operation(
            8,
            3,
            "k1",
            OpKind.GET,
            null,
            null,
            1300,
            1500,
            Outcome.OK,
            Output.read("p1-4", 3),
            null);
    Operation absent =
        new Operation(
            9, 4, "k1", OpKind.GET, null, null, 1300, 1500, Outcome.OK, Output.absent(), null);
    Operation put =
        new Operation(
            10,
            0,
            "k2",
            OpKind.PUT,
            null,
            "p0-9",
            1400,
            Operation.NEVER_RETURNED,
            Outcome.INDETERMINATE,
            null,
            "DEADLINE_EXCEEDED");
    Operation create =
        new Operation(
            11,
            5,
            "k3",
            OpKind.CAS,
            CasCondition.absent(),
            "x",
            1,
            2,
            Outcome.FAILED,
            null,
            "UNAVAILABLE");
    Operation swap =
        new Operation(
            12,
            5,
            "k3",
            OpKind.CAS,
            CasCondition.valueEquals("x"),
            "y",
            3,
            4,
            Outcome.OK,
            Output.cas(false, 0),
            null);
    NemesisEvent event = new NemesisEvent("partition-majority", NemesisEvent.Phase.START, 1450);

    assertThat(HistoryJsonLines.toLine(cas))
        .isEqualTo(
            "{\"type\":\"op\",\"id\":7,\"process\":2,\"key\":\"k1\",\"kind\":\"CAS\","
                + "\"condition\":{\"version_equals\":3},\"value\":\"p2-5\",\"call\":1200,"
                + "\"return\":1900,\"outcome\":\"OK\",\"output\":{\"succeeded\":true,\"version\":4}}");
    assertThat(HistoryJsonLines.toLine(get))
        .isEqualTo(
            "{\"type\":\"op\",\"id\":8,\"process\":3,\"key\":\"k1\",\"kind\":\"GET\","
                + "\"call\":1300,\"return\":1500,\"outcome\":\"OK\","
                + "\"output\":{\"found\":true,\"value\":\"p1-4\",\"version\":3}}");
    assertThat(HistoryJsonLines.toLine(absent))
        .contains("\"output\":{\"found\":false,\"version\":0}}");
    assertThat(HistoryJsonLines.toLine(put))
        .isEqualTo(
            "{\"type\":\"op\",\"id\":10,\"process\":0,\"key\":\"k2\",\"kind\":\"PUT\","
                + "\"value\":\"p0-9\",\"call\":1400,\"outcome\":\"INDETERMINATE\","
                + "\"error\":\"DEADLINE_EXCEEDED\"}");
    assertThat(HistoryJsonLines.toLine(create))
        .contains(
            "\"condition\":{\"absent\":true}", "\"outcome\":\"FAILED\",\"error\":\"UNAVAILABLE\"}");
    assertThat(HistoryJsonLines.toLine(swap)).contains("\"condition\":{\"value_equals\":\"x\"}");
    assertThat(HistoryJsonLines.toLine(event))
        .isEqualTo(
            "{\"type\":\"nemesis\",\"name\":\"partition-majority\",\"phase\":\"START\","
                + "\"time\":1450}");
  }

  @Test
  void blankLinesAreSkipped() throws IOException {
    String text = "\n" + HistoryJsonLines.toLine(everything().operations().get(2)) + "\n\n";

    assertThat(HistoryJsonLines.read(new StringReader(text)).operations()).hasSize(1);
  }

  @Test
  void badLineIsReportedWithItsNumber() {
    String good = HistoryJsonLines.toLine(everything().operations().get(2));
    String noKey = good.replace("\"key\":\"key-0\",", "");

    assertThatThrownBy(() -> HistoryJsonLines.read(new StringReader(good + "\n" + noKey)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("history line 2")
        .hasMessageContaining("'key'");
    assertThatThrownBy(() -> HistoryJsonLines.read(new StringReader("{\"type\":\"x\"}")))
        .hasMessageContaining("history line 1: unknown type 'x'");
    assertThatThrownBy(() -> HistoryJsonLines.read(new StringReader("not json")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("history line 1");
  }

  @Test
  void lineThatBreaksAnOperationRuleIsRejected() {
    // An OK operation without output: the reader applies the same rules as the recorder.
    String line =
        HistoryJsonLines.toLine(everything().operations().get(2))
            .replace(",\"output\":{\"version\":4}", "");

    assertThatThrownBy(() -> HistoryJsonLines.read(new StringReader(line)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exactly the OK operations have an output");
  }
}
