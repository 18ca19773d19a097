package dev.kv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.PutRequest;
import dev.kv.api.v1.PutResponse;
import dev.kv.api.v1.WriteId;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retried write carries the same client id and sequence and is answered with the first result,
 * whichever node it reaches, after a leader change, and after every node restarted.
 */
class ExactlyOnceTest {
  @TempDir Path dir;

  static ByteString clientId() {
    UUID u = UUID.randomUUID();
    return ByteString.copyFrom(
        java.nio.ByteBuffer.allocate(16)
            .putLong(u.getMostSignificantBits())
            .putLong(u.getLeastSignificantBits())
            .flip());
  }

  static PutRequest put(ByteString clientId, long seq, long ackedBelow, String key, String value) {
    return PutRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value))
        .setWriteId(
            WriteId.newBuilder().setClientId(clientId).setSequence(seq).setAckedBelow(ackedBelow))
        .build();
  }

  @Test
  void retriesAreAnsweredWithTheFirstResultAcrossLeaderChangeAndFullRestart() {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      ByteString client = clientId();
      PutRequest first = put(client, 1, 1, "once", "a");
      PutResponse original = cluster.stub(0).put(first);
      assertThat(original.getVersion()).isEqualTo(1);

      // Someone else writes the key; a retry of the first write must not bump it again.
      cluster.stub(1).put(PutRequest.newBuilder()
          .setKey(ByteString.copyFromUtf8("once")).setValue(ByteString.copyFromUtf8("b")).build());
      assertThat(cluster.stub(2).put(first).getVersion()).isEqualTo(1);

      int leader = cluster.awaitLeader();
      cluster.stop(leader);
      int other = (leader + 1) % 3;
      cluster.awaitLeader();
      PutResponse afterFailover = cluster.stub(other).put(first);
      assertThat(afterFailover.getVersion()).isEqualTo(1);
      assertThat(afterFailover.getHeader().getIndex()).isGreaterThan(original.getHeader().getIndex());

      cluster.close();
      for (int i = 0; i < 3; i++) {
        cluster.start(i);
      }
      cluster.awaitLeader();
      assertThat(cluster.stub(leader).put(first).getVersion()).isEqualTo(1);
      var value = cluster.stub(0).get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("once")).build());
      assertThat(value.getValue().toStringUtf8()).isEqualTo("b");
      assertThat(value.getVersion()).isEqualTo(2);

      // Once acknowledged (acked_below moved past it), a retry is refused, not re-applied.
      cluster.stub(0).put(put(client, 2, 2, "once-2", "x"));
      assertThatThrownBy(() -> cluster.stub(0).put(first))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION))
          .hasMessageContaining("below the client's acknowledged window");
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }
}
