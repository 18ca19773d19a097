package dev.kv.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kv.bench.ycsb.YcsbDriver;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The bundled workload files and the options of {@code kv-bench ycsb}, without a cluster. */
class YcsbCommandTest {

  @Test
  void everyCoreWorkloadIsBundled() throws Exception {
    for (String letter : new String[] {"a", "b", "c", "d", "e", "f"}) {
      Properties props = YcsbDriver.workload(letter);
      assertThat(props.getProperty("workload")).isEqualTo("site.ycsb.workloads.CoreWorkload");
      double sum = 0;
      for (String op : new String[] {"read", "update", "scan", "insert", "readmodifywrite"}) {
        sum += Double.parseDouble(props.getProperty(op + "proportion", "0"));
      }
      assertThat(sum).as("workload %s proportions", letter).isEqualTo(1.0);
    }
    assertThat(YcsbDriver.workload("e").getProperty("maxscanlength")).isEqualTo("100");
  }

  @Test
  void optionsBecomeYcsbProperties() throws Exception {
    YcsbCommand command = new YcsbCommand();
    new CommandLine(command)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .parseArgs(
            "--workload", "B", "--endpoints", "h:1,h:2", "--record-count", "5",
            "--operation-count", "7", "--threads", "3", "--read-consistency", "serializable",
            "-p", "fieldcount=2");
    Properties props = command.properties();
    assertThat(props.getProperty("readproportion")).isEqualTo("0.95");
    assertThat(props.getProperty("db")).isEqualTo("dev.kv.bench.ycsb.KvYcsbClient");
    assertThat(props.getProperty("kv.endpoints")).isEqualTo("h:1,h:2");
    assertThat(props.getProperty("kv.readConsistency")).isEqualTo("serializable");
    assertThat(props.getProperty("recordcount")).isEqualTo("5");
    assertThat(props.getProperty("operationcount")).isEqualTo("7");
    assertThat(props.getProperty("threadcount")).isEqualTo("3");
    assertThat(props.getProperty("fieldcount")).isEqualTo("2");
  }

  @Test
  void rejectsAnUnknownWorkload() {
    YcsbCommand command = new YcsbCommand();
    new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs("--workload", "g");
    assertThatThrownBy(command::properties).hasMessageContaining("a..f");
  }
}
