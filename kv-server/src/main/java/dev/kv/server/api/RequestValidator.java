package dev.kv.server.api;

import com.google.protobuf.ByteString;
import dev.kv.api.Limits;
import dev.kv.api.v1.CompareAndSetRequest;
import dev.kv.api.v1.Condition;
import dev.kv.api.v1.DeleteRequest;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.PutRequest;
import dev.kv.api.v1.ScanRequest;
import dev.kv.api.v1.WriteId;

/**
 * Checks requests against the node's limits and the contract's rules before anything enters the
 * log. Each method returns null when the request is acceptable, otherwise the reason, naming the
 * limit or rule that was violated.
 */
final class RequestValidator {
  private final Limits limits;

  RequestValidator(Limits limits) {
    this.limits = limits;
  }

  String get(GetRequest request) {
    return limits.checkKey(request.getKey().size());
  }

  String put(PutRequest request) {
    return firstProblem(
        limits.checkKey(request.getKey().size()),
        limits.checkValue(request.getValue().size()),
        writeId(request.getWriteId()));
  }

  String delete(DeleteRequest request) {
    return firstProblem(limits.checkKey(request.getKey().size()), writeId(request.getWriteId()));
  }

  String compareAndSet(CompareAndSetRequest request) {
    String action =
        switch (request.getActionCase()) {
          case PUT_VALUE -> limits.checkValue(request.getPutValue().size());
          case DELETE -> request.getDelete() ? null : "delete must be true when set";
          case ACTION_NOT_SET -> "compare-and-set needs an action: put_value or delete";
        };
    return firstProblem(
        limits.checkKey(request.getKey().size()),
        condition(request.getCondition()),
        action,
        writeId(request.getWriteId()));
  }

  String scan(ScanRequest request) {
    String prefix =
        request.getKeyPrefix().size() > limits.maxKeyBytes()
            ? "key_prefix is " + request.getKeyPrefix().size() + " bytes; the limit is "
                + limits.maxKeyBytes()
            : null;
    return firstProblem(
        limits.checkScanLimit(Integer.toUnsignedLong(request.getLimit())),
        prefix,
        ScanCursor.validate(request.getCursor(), limits.maxKeyBytes()));
  }

  private String condition(Condition condition) {
    return switch (condition.getKindCase()) {
      case KIND_NOT_SET -> "compare-and-set needs a condition: version_equals, value_equals or absent";
      case VERSION_EQUALS -> condition.getVersionEquals() == 0
          ? "version_equals must be >= 1; use absent to require that the key does not exist"
          : null;
      case VALUE_EQUALS -> limits.checkValue(condition.getValueEquals().size());
      case ABSENT -> condition.getAbsent() ? null : "absent must be true when set";
    };
  }

  private static String writeId(WriteId id) {
    ByteString clientId = id.getClientId();
    String problem = Limits.checkClientId(clientId.size());
    if (problem != null || clientId.isEmpty()) {
      return problem;
    }
    if (id.getSequence() == 0) {
      return "write_id.sequence must be >= 1 when client_id is set";
    }
    if (Long.compareUnsigned(id.getAckedBelow(), id.getSequence()) > 0) {
      return "write_id.acked_below (" + Long.toUnsignedString(id.getAckedBelow())
          + ") must not exceed write_id.sequence (" + Long.toUnsignedString(id.getSequence()) + ")";
    }
    return null;
  }

  private static String firstProblem(String... problems) {
    for (String p : problems) {
      if (p != null) {
        return p;
      }
    }
    return null;
  }
}
