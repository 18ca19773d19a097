package dev.kv.client.internal;

import io.grpc.ClientStreamTracer;
import io.grpc.Metadata;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Records how far one attempt got on the wire, which its status code alone does not tell: an
 * UNAVAILABLE from a refused connection means the request was never sent, while the same code after
 * a connection reset means it may have been applied.
 *
 * <p>Installed as the attempt's stream tracer; gRPC may create several streams for one attempt
 * (transparent retries), and any of them counts.
 */
final class AttemptProgress extends ClientStreamTracer.Factory {
  private final AtomicBoolean requestSent = new AtomicBoolean();
  private final AtomicBoolean serverAnswered = new AtomicBoolean();

  @Override
  public ClientStreamTracer newClientStreamTracer(
      ClientStreamTracer.StreamInfo info, Metadata headers) {
    return new ClientStreamTracer() {
      @Override
      public void outboundMessage(int seqNo) {
        // Fired when the message is handed to the transport, before it is written: from here on
        // the server may receive it.
        requestSent.set(true);
      }

      @Override
      public void inboundTrailers(Metadata trailers) {
        // Only the server sends trailers; a status the client library made up has none.
        serverAnswered.set(true);
      }
    };
  }

  /** Whether the request may have left this process. */
  boolean requestSent() {
    return requestSent.get();
  }

  /** Whether the attempt's status came from the server rather than from the client library. */
  boolean serverAnswered() {
    return serverAnswered.get();
  }
}
