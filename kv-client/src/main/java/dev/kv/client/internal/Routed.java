package dev.kv.client.internal;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.kv.api.v1.ResponseHeader;
import java.util.Optional;

/**
 * The two routing fields every data request and reply of kv.proto has, reached through the
 * message descriptor so one code path serves all operations: {@code routing_epoch} on requests and
 * {@code header} on replies.
 */
final class Routed {
  private Routed() {}

  /** The request with {@code routing_epoch} set; unchanged if the type has no such field. */
  @SuppressWarnings("unchecked")
  static <T> T withEpoch(T request, long epoch) {
    if (!(request instanceof Message message)) {
      return request;
    }
    FieldDescriptor field = message.getDescriptorForType().findFieldByName("routing_epoch");
    if (field == null) {
      return request;
    }
    return (T) message.toBuilder().setField(field, epoch).build();
  }

  /** The reply's header, if the type has one. */
  static Optional<ResponseHeader> header(Object response) {
    if (!(response instanceof Message message)) {
      return Optional.empty();
    }
    FieldDescriptor field = message.getDescriptorForType().findFieldByName("header");
    if (field == null || !message.hasField(field)) {
      return Optional.empty();
    }
    Object value = message.getField(field);
    return value instanceof ResponseHeader h ? Optional.of(h) : Optional.empty();
  }
}
