package dev.kv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.kv.api.Limits;
import dev.kv.api.v1.CompareAndSetRequest;
import dev.kv.api.v1.Condition;
import dev.kv.api.v1.DeleteRequest;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.KVGrpc;
import dev.kv.api.v1.PutRequest;
import dev.kv.api.v1.ScanRequest;
import dev.kv.api.v1.WriteId;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every limit and rule of the contract, sent raw (bypassing the SDK's own checks) to a follower
 * and to the leader: each is refused with INVALID_ARGUMENT naming the limit, and the node keeps
 * serving afterwards.
 */
class LimitsTest {
  @TempDir static Path dir;
  static TestCluster cluster;
  static KVGrpc.KVBlockingStub stub;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(dir, 3);
    stub = cluster.stub(cluster.aFollower());
  }

  @AfterAll
  static void stop() {
    cluster.close();
    assertThat(cluster.fatalErrors).isEmpty();
  }

  @AfterEach
  void nodeStillServes() {
    var put = stub.put(PutRequest.newBuilder().setKey(bytes(1, 'k')).setValue(bytes(1, 'v')).build());
    assertThat(put.getVersion()).isPositive();
  }

  static ByteString bytes(int n, char c) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) c);
    return ByteString.copyFrom(b);
  }

  static void assertInvalid(ThrowingCallable call, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining(message);
  }

  @Test
  void emptyKeyIsRejectedByEveryOperation() {
    String msg = "key is empty; keys must be 1..4096 bytes";
    assertInvalid(() -> stub.get(GetRequest.getDefaultInstance()), msg);
    assertInvalid(() -> stub.put(PutRequest.getDefaultInstance()), msg);
    assertInvalid(() -> stub.delete(DeleteRequest.getDefaultInstance()), msg);
    assertInvalid(
        () ->
            stub.compareAndSet(
                CompareAndSetRequest.newBuilder()
                    .setCondition(Condition.newBuilder().setAbsent(true))
                    .setPutValue(ByteString.EMPTY)
                    .build()),
        msg);
  }

  @Test
  void keyLimitIsInclusive() {
    assertThat(
            stub.put(PutRequest.newBuilder().setKey(bytes(Limits.DEFAULT_MAX_KEY_BYTES, 'a')).build())
                .getVersion())
        .isPositive();
    assertInvalid(
        () -> stub.put(PutRequest.newBuilder().setKey(bytes(4097, 'a')).build()),
        "key is 4097 bytes; the limit is 4096");
    assertInvalid(
        () -> stub.get(GetRequest.newBuilder().setKey(bytes(5000, 'a')).build()),
        "key is 5000 bytes; the limit is 4096");
  }

  @Test
  void valueLimitIsInclusive() {
    ByteString key = bytes(3, 'v');
    assertThat(
            stub.put(
                    PutRequest.newBuilder()
                        .setKey(key)
                        .setValue(bytes(Limits.DEFAULT_MAX_VALUE_BYTES, 'x'))
                        .build())
                .getVersion())
        .isPositive();
    assertThat(stub.get(GetRequest.newBuilder().setKey(key).build()).getValue().size())
        .isEqualTo(Limits.DEFAULT_MAX_VALUE_BYTES);
    assertInvalid(
        () ->
            stub.put(
                PutRequest.newBuilder()
                    .setKey(key)
                    .setValue(bytes(Limits.DEFAULT_MAX_VALUE_BYTES + 1, 'x'))
                    .build()),
        "value is 1048577 bytes; the limit is 1048576");
    assertInvalid(
        () ->
            stub.compareAndSet(
                CompareAndSetRequest.newBuilder()
                    .setKey(key)
                    .setCondition(Condition.newBuilder().setAbsent(true))
                    .setPutValue(bytes(Limits.DEFAULT_MAX_VALUE_BYTES + 1, 'x'))
                    .build()),
        "value is 1048577 bytes; the limit is 1048576");
  }

  @Test
  void aMessageAboveTheGrpcLimitIsRefusedAndTheNodeSurvives() {
    assertThatThrownBy(
            () ->
                stub.put(
                    PutRequest.newBuilder()
                        .setKey(bytes(3, 'z'))
                        .setValue(bytes(4 << 20, 'x'))
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
  }

  @Test
  void malformedConditionalWrites() {
    assertInvalid(
        () ->
            stub.compareAndSet(
                CompareAndSetRequest.newBuilder().setKey(bytes(1, 'c')).setPutValue(bytes(1, 'x')).build()),
        "compare-and-set needs a condition");
    assertInvalid(
        () ->
            stub.compareAndSet(
                CompareAndSetRequest.newBuilder()
                    .setKey(bytes(1, 'c'))
                    .setCondition(Condition.newBuilder().setAbsent(true))
                    .build()),
        "compare-and-set needs an action");
    assertInvalid(
        () ->
            stub.compareAndSet(
                CompareAndSetRequest.newBuilder()
                    .setKey(bytes(1, 'c'))
                    .setCondition(Condition.newBuilder().setVersionEquals(0))
                    .setPutValue(bytes(1, 'x'))
                    .build()),
        "version_equals must be >= 1");
    assertInvalid(
        () ->
            stub.compareAndSet(
                CompareAndSetRequest.newBuilder()
                    .setKey(bytes(1, 'c'))
                    .setCondition(Condition.newBuilder().setAbsent(true))
                    .setDelete(false)
                    .build()),
        "delete must be true when set");
  }

  @Test
  void malformedWriteIds() {
    assertInvalid(
        () ->
            stub.put(
                PutRequest.newBuilder()
                    .setKey(bytes(1, 'w'))
                    .setWriteId(WriteId.newBuilder().setClientId(bytes(5, 'c')).setSequence(1))
                    .build()),
        "client_id is 5 bytes; it must be 16 bytes");
    assertInvalid(
        () ->
            stub.put(
                PutRequest.newBuilder()
                    .setKey(bytes(1, 'w'))
                    .setWriteId(WriteId.newBuilder().setClientId(bytes(16, 'c')))
                    .build()),
        "write_id.sequence must be >= 1");
    assertInvalid(
        () ->
            stub.delete(
                DeleteRequest.newBuilder()
                    .setKey(bytes(1, 'w'))
                    .setWriteId(
                        WriteId.newBuilder().setClientId(bytes(16, 'c')).setSequence(2).setAckedBelow(3))
                    .build()),
        "write_id.acked_below (3) must not exceed write_id.sequence (2)");
  }

  @Test
  void scanLimitsAndCursor() {
    assertInvalid(
        () -> stub.scan(ScanRequest.newBuilder().setLimit(1001).build()),
        "scan limit is 1001; it must be 0 (default 100) to 1000");
    assertInvalid(
        () -> stub.scan(ScanRequest.newBuilder().setCursor(bytes(3, 'q')).build()),
        "cursor is malformed");
    assertInvalid(
        () -> stub.scan(ScanRequest.newBuilder().setKeyPrefix(bytes(4097, 'p')).build()),
        "key_prefix is 4097 bytes; the limit is 4096");
    stub.put(PutRequest.newBuilder().setKey(bytes(2, 's')).build());
    assertThat(stub.scan(ScanRequest.newBuilder().setLimit(1000).build()).getEntriesCount())
        .isPositive();
  }
}
