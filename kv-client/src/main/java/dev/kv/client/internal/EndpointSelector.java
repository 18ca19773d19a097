package dev.kv.client.internal;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * Chooses the endpoint for each attempt. Calls stick to the endpoint that last answered (usually
 * close to the leader, and it keeps connections warm); a retry moves round-robin to the next one;
 * an endpoint that refused a connection is passed over for a cool-down period unless every endpoint
 * is cooling down.
 *
 * <p>Attempts may also go to endpoints outside the configured list (group leaders found in the
 * placement map by {@link Router}); for those, reports are ignored and the next attempt starts
 * at the preferred configured endpoint.
 */
final class EndpointSelector {
  private final List<Endpoint> endpoints;
  private final LongSupplier nanoTime;
  private final long refusedCooldownNanos;

  // Guarded by this.
  private final boolean[] refused;
  private final long[] refusedUntilNanos;
  private int preferred;

  EndpointSelector(List<Endpoint> endpoints, LongSupplier nanoTime, long refusedCooldownNanos) {
    this.endpoints = List.copyOf(endpoints);
    this.nanoTime = nanoTime;
    this.refusedCooldownNanos = refusedCooldownNanos;
    this.refused = new boolean[endpoints.size()];
    this.refusedUntilNanos = new long[endpoints.size()];
  }

  /** The endpoint for a call's first attempt. */
  synchronized Endpoint first() {
    return pickFrom(preferred);
  }

  /** The endpoint for the attempt after one that failed on {@code previous}. */
  synchronized Endpoint after(Endpoint previous) {
    int index = endpoints.indexOf(previous);
    return pickFrom(index < 0 ? preferred : index + 1);
  }

  /** Remembers where calls succeed, so the next call starts there. */
  synchronized void succeeded(Endpoint endpoint) {
    int index = endpoints.indexOf(endpoint);
    if (index >= 0) {
      preferred = index;
      refused[index] = false;
    }
  }

  synchronized void refusedConnection(Endpoint endpoint) {
    int index = endpoints.indexOf(endpoint);
    if (index >= 0) {
      refused[index] = true;
      refusedUntilNanos[index] = nanoTime.getAsLong() + refusedCooldownNanos;
    }
  }

  private Endpoint pickFrom(int start) {
    long now = nanoTime.getAsLong();
    int n = endpoints.size();
    for (int i = 0; i < n; i++) {
      int candidate = (start + i) % n;
      if (!refused[candidate] || refusedUntilNanos[candidate] - now <= 0) {
        return endpoints.get(candidate);
      }
    }
    // Everything refused recently: keep rotating rather than give up, a node may be back.
    return endpoints.get(start % n);
  }
}
