package dev.kv.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RatisMetricsCollectorTest {
  @Test
  void ratisNamesBecomeClassicPrometheusNames() {
    assertThat(RatisMetricsCollector.prometheusName("ratis_log_worker_flushCount"))
        .isEqualTo("ratis_log_worker_flushCount");
    assertThat(
            RatisMetricsCollector.prometheusName(
                "ratis_server_message_metrics_n1_ratis.grpc.RaftServerProtocolService"
                    + "_requestVote_started_total"))
        .isEqualTo(
            "ratis_server_message_metrics_n1_ratis_grpc_RaftServerProtocolService"
                + "_requestVote_started");
    assertThat(RatisMetricsCollector.prometheusName("ratis_server_numWatch-ALL_COMMITTEDRequest"))
        .isEqualTo("ratis_server_numWatch_ALL_COMMITTEDRequest");
    assertThat(RatisMetricsCollector.prometheusName("ratis_grpc_log_appender_kv-0__latency"))
        .isEqualTo("ratis_grpc_log_appender_kv_0_latency");
  }
}
