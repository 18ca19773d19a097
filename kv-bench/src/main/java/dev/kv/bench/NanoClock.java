package dev.kv.bench;

/**
 * The monotonic time the driver measures with. A seam for tests: production uses {@link #SYSTEM};
 * tests pass a virtual clock so that every figure the driver computes is exact.
 */
@FunctionalInterface
public interface NanoClock {
  NanoClock SYSTEM = System::nanoTime;

  /** Nanoseconds from an arbitrary origin; only differences mean anything. */
  long nanoTime();
}
