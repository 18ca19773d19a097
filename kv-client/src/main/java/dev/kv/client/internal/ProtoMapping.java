package dev.kv.client.internal;

import com.google.protobuf.ByteString;
import dev.kv.api.v1.CompareAndSetResponse;
import dev.kv.api.v1.Consistency;
import dev.kv.api.v1.GetResponse;
import dev.kv.api.v1.ScanResponse;
import dev.kv.client.CasResult;
import dev.kv.client.Condition;
import dev.kv.client.KeyValue;
import dev.kv.client.ReadConsistency;
import dev.kv.client.ScanPage;
import dev.kv.client.VersionedValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Translates between the SDK's types and the kv.v1 protocol messages. */
final class ProtoMapping {
  private ProtoMapping() {}

  static Consistency toProto(ReadConsistency consistency) {
    return switch (consistency) {
      case LINEARIZABLE -> Consistency.LINEARIZABLE;
      case SERIALIZABLE -> Consistency.SERIALIZABLE;
    };
  }

  static dev.kv.api.v1.Condition toProto(Condition condition) {
    dev.kv.api.v1.Condition.Builder proto = dev.kv.api.v1.Condition.newBuilder();
    if (condition instanceof Condition.VersionEquals versionEquals) {
      proto.setVersionEquals(versionEquals.version());
    } else if (condition instanceof Condition.ValueEquals valueEquals) {
      proto.setValueEquals(ByteString.copyFrom(valueEquals.value()));
    } else if (condition instanceof Condition.Absent) {
      proto.setAbsent(true);
    } else {
      throw new IllegalArgumentException("unknown condition " + condition);
    }
    return proto.build();
  }

  static Optional<VersionedValue> toVersionedValue(GetResponse response) {
    if (!response.getFound()) {
      return Optional.empty();
    }
    return Optional.of(
        new VersionedValue(response.getValue().toByteArray(), response.getVersion()));
  }

  static CasResult toCasResult(CompareAndSetResponse response) {
    return new CasResult(response.getSucceeded(), response.getVersion());
  }

  static ScanPage toScanPage(ScanResponse response) {
    List<KeyValue> entries = new ArrayList<>(response.getEntriesCount());
    for (dev.kv.api.v1.KeyValue entry : response.getEntriesList()) {
      entries.add(
          new KeyValue(
              entry.getKey().toByteArray(), entry.getValue().toByteArray(), entry.getVersion()));
    }
    return new ScanPage(entries, response.getNextCursor().toByteArray());
  }
}
