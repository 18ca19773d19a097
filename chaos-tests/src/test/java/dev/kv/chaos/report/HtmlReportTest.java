package dev.kv.chaos.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.chaos.check.CheckOptions;
import dev.kv.chaos.check.LinearizabilityChecker;
import dev.kv.chaos.history.History;
import dev.kv.chaos.history.HistoryRecorder;
import dev.kv.chaos.history.Output;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HtmlReportTest {
  private final AtomicLong clock = new AtomicLong();
  private final HistoryRecorder recorder = new HistoryRecorder(() -> clock.addAndGet(1_000_000));

  @Test
  void showsTheFirstViolationAndTheFaultWindows() {
    HistoryRecorder.Client writer = recorder.newClient();
    HistoryRecorder.Client reader = recorder.newClient();
    writer.invokePut("k", "a").ok(Output.put(1));
    recorder.nemesisStarted("isolate n2");
    writer.invokePut("k", "b").ok(Output.put(2));
    reader.invokeGet("k").ok(Output.read("a", 1)); // stale: b was acknowledged before
    recorder.nemesisStopped("isolate n2");
    History history = recorder.snapshot();

    String html = HtmlReport.render("t", false, List.of("seed 1"), List.of(new HtmlReport.Panel(
        "p", history,
        LinearizabilityChecker.forRegisters(CheckOptions.DEFAULTS).check(history), List.of())));

    assertThat(html).contains("First violation: key k", "NOT_LINEARIZABLE", "isolate n2",
        "class=\"fault\"", "stroke=\"#e00\"").doesNotContain("<script");
    assertThat(HtmlReport.faultWindows(history, Long.MAX_VALUE)).hasSize(1);
  }

  @Test
  void escapesWhatItShows() {
    assertThat(HtmlReport.esc("<a href=\"x\">&</a>"))
        .isEqualTo("&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
  }
}
