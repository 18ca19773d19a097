package dev.kv.client.internal;

import com.google.protobuf.ByteString;
import dev.kv.api.Limits;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The validated settings of one client. Built only through {@link #validated}, which names the
 * setting it rejects, so the rest of the SDK can trust every field.
 *
 * @param callbackExecutor null to complete futures on the gRPC transport thread that read the reply
 */
public record ClientConfig(
    List<Endpoint> endpoints,
    Duration timeout,
    Duration attemptTimeout,
    RetryPolicy retryPolicy,
    Limits limits,
    ByteString clientId,
    Executor callbackExecutor,
    Function<String, ManagedChannel> channelFactory) {

  /** Room for the message framing around the largest value. */
  private static final int MESSAGE_OVERHEAD_BYTES = 64 * 1024;

  private static final int MIN_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024;

  /**
   * Validates builder input and fills in the derived defaults.
   *
   * @param clientId null for a random one
   * @param channelFactory null for plaintext channels
   * @throws IllegalArgumentException naming the first invalid setting
   */
  public static ClientConfig validated(
      List<String> endpoints,
      Duration timeout,
      Duration attemptTimeout,
      Duration initialBackoff,
      Duration maxBackoff,
      Limits limits,
      byte[] clientId,
      Executor callbackExecutor,
      Function<String, ManagedChannel> channelFactory) {
    requirePositive("timeout", timeout);
    requirePositive("attemptTimeout", attemptTimeout);
    requirePositive("retryBackoff initial", initialBackoff);
    requirePositive("retryBackoff max", maxBackoff);
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "retryBackoff max is "
              + maxBackoff.toMillis()
              + " ms; it must be >= initial ("
              + initialBackoff.toMillis()
              + " ms)");
    }
    if (clientId != null && clientId.length != Limits.CLIENT_ID_BYTES) {
      throw new IllegalArgumentException(
          "clientId is " + clientId.length + " bytes; it must be " + Limits.CLIENT_ID_BYTES);
    }
    return new ClientConfig(
        parseEndpoints(endpoints),
        timeout,
        attemptTimeout,
        new RetryPolicy(initialBackoff, maxBackoff),
        Objects.requireNonNull(limits, "limits"),
        clientId != null ? ByteString.copyFrom(clientId) : randomClientId(),
        callbackExecutor,
        channelFactory != null ? channelFactory : plaintextChannels(inboundMessageLimit(limits)));
  }

  /** The largest reply a channel accepts: a maximal value plus framing, and at least 4 MiB. */
  static int inboundMessageLimit(Limits limits) {
    long wanted = (long) limits.maxValueBytes() + MESSAGE_OVERHEAD_BYTES;
    return (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_INBOUND_MESSAGE_BYTES, wanted));
  }

  private static List<Endpoint> parseEndpoints(List<String> endpoints) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("endpoints is empty; at least one host:port is required");
    }
    List<Endpoint> parsed = new ArrayList<>(endpoints.size());
    for (int i = 0; i < endpoints.size(); i++) {
      String text = Objects.requireNonNull(endpoints.get(i), "endpoints[" + i + "]");
      Endpoint endpoint;
      try {
        endpoint = Endpoint.parse(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("endpoints[" + i + "] " + e.getMessage(), e);
      }
      int first = parsed.indexOf(endpoint);
      if (first >= 0) {
        // A duplicate would silently double that node's share of failover attempts.
        throw new IllegalArgumentException(
            "endpoints[" + i + "] is \"" + text + "\", the same as endpoints[" + first + "]");
      }
      parsed.add(endpoint);
    }
    return List.copyOf(parsed);
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          name + " is " + value.toMillis() + " ms; it must be positive");
    }
  }

  private static ByteString randomClientId() {
    UUID uuid = UUID.randomUUID();
    return ByteString.copyFrom(
        java.nio.ByteBuffer.allocate(Limits.CLIENT_ID_BYTES)
            .putLong(uuid.getMostSignificantBits())
            .putLong(uuid.getLeastSignificantBits())
            .flip());
  }

  // The transport is looked up at runtime (grpc-netty-shaded), so the SDK compiles against the
  // gRPC API only.
  private static Function<String, ManagedChannel> plaintextChannels(int maxInboundMessageBytes) {
    return target -> {
      Endpoint endpoint = Endpoint.parse(target);
      return ManagedChannelBuilder.forAddress(endpoint.host(), endpoint.port())
          .usePlaintext()
          .maxInboundMessageSize(maxInboundMessageBytes)
          .userAgent("kv-client")
          .directExecutor()
          .build();
    };
  }
}
