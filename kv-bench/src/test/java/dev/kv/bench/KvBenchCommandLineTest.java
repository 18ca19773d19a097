package dev.kv.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kv.client.ReadConsistency;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/** Option parsing and the exit codes of the command line, without starting any cluster. */
class KvBenchCommandLineTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int execute(String... args) {
    CommandLine cli = KvBench.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void runParsesEveryOptionOfTheIssue() {
    CommandLine cli = KvBench.commandLine();
    CommandLine.ParseResult parsed =
        cli.parseArgs(
            "run",
            "--backend",
            "etcd",
            "--endpoints",
            "127.0.0.1:23791,127.0.0.1:23792",
            "--clients",
            "16",
            "--write-fraction",
            "0.5",
            "--read-consistency",
            "serializable",
            "--keys",
            "500",
            "--value-size",
            "1024",
            "--duration",
            "30s",
            "--warmup",
            "500ms",
            "--json",
            "out.json");
    RunCommand run = (RunCommand) parsed.subcommand().commandSpec().userObject();

    assertThat(run.backend).isEqualTo(BackendKind.ETCD);
    assertThat(run.endpoints).containsExactly("127.0.0.1:23791", "127.0.0.1:23792");
    assertThat(run.clients).isEqualTo(16);
    assertThat(run.writeFraction).isEqualTo(0.5);
    assertThat(run.readConsistency).isEqualTo(ReadConsistency.SERIALIZABLE);
    assertThat(run.keys).isEqualTo(500);
    assertThat(run.valueSize).isEqualTo(1024);
    assertThat(run.duration).isEqualTo(Duration.ofSeconds(30));
    assertThat(run.warmup).isEqualTo(Duration.ofMillis(500));
    assertThat(run.json).isEqualTo(Path.of("out.json"));
  }

  @Test
  void runDefaultsMatchTheIssue() {
    CommandLine.ParseResult parsed = KvBench.commandLine().parseArgs("run", "--backend", "kv");
    RunCommand run = (RunCommand) parsed.subcommand().commandSpec().userObject();

    assertThat(run.clients).isEqualTo(64);
    assertThat(run.writeFraction).isEqualTo(1.0);
    assertThat(run.readConsistency).isEqualTo(ReadConsistency.LINEARIZABLE);
    assertThat(run.keys).isEqualTo(10_000);
    assertThat(run.valueSize).isEqualTo(256);
    assertThat(run.duration).isEqualTo(Duration.ofSeconds(30));
    assertThat(run.warmup).isEqualTo(Duration.ofSeconds(5));
    assertThat(run.endpoints).isNull();
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertThat(execute("run")).isEqualTo(2); // --backend is required
    assertThat(execute("run", "--backend", "redis")).isEqualTo(2);
    assertThat(execute("run", "--backend", "kv", "--duration", "soon")).isEqualTo(2);
    assertThat(err.toString()).contains("soon");
  }

  @Test
  void invalidWorkloadExitsWithOneAndNamesTheLimit() {
    assertThat(execute("run", "--backend", "kv", "--write-fraction", "1.5")).isEqualTo(1);
    assertThat(err.toString()).contains("write fraction is 1.5; it must be from 0 to 1");
  }

  @Test
  void compareWithoutEtcdSaysHowToInstallIt() {
    int status =
        execute(
            "compare-etcd",
            "--out-dir",
            dir.toString(),
            "--etcd-binary",
            dir.resolve("no-etcd").toString());

    assertThat(status).isEqualTo(1);
    assertThat(err.toString()).contains("apt-get install -y etcd-server");
  }

  @Test
  void helpListsBothSubcommands() {
    assertThat(execute("--help")).isZero();
    assertThat(out.toString()).contains("run", "compare-etcd");
  }

  @Test
  void durationsAcceptUnitsAndIso8601() {
    DurationConverter converter = new DurationConverter();

    assertThat(converter.convert("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(converter.convert("20s")).isEqualTo(Duration.ofSeconds(20));
    assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(converter.convert("PT1S")).isEqualTo(Duration.ofSeconds(1));
    assertThat(converter.convert("0s")).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> converter.convert("-5s")).isInstanceOf(TypeConversionException.class);
  }
}
