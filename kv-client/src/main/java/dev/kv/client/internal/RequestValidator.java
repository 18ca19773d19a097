package dev.kv.client.internal;

import dev.kv.api.Limits;
import dev.kv.client.Condition;
import dev.kv.client.KvInvalidArgumentException;

/**
 * Checks requests against the configured {@link Limits} before anything is sent, with the same
 * messages the server uses. Saves a round trip; the server's check remains authoritative.
 */
final class RequestValidator {
  private final Limits limits;

  RequestValidator(Limits limits) {
    this.limits = limits;
  }

  void checkKey(byte[] key) {
    reject(limits.checkKey(key.length));
  }

  void checkValue(byte[] value) {
    reject(limits.checkValue(value.length));
  }

  void checkCondition(Condition condition) {
    if (condition instanceof Condition.ValueEquals valueEquals) {
      String reason = limits.checkValue(valueEquals.length());
      if (reason != null) {
        throw new KvInvalidArgumentException("condition " + reason);
      }
    }
  }

  void checkScanLimit(int limit) {
    reject(limits.checkScanLimit(limit));
  }

  private static void reject(String reason) {
    if (reason != null) {
      throw new KvInvalidArgumentException(reason);
    }
  }
}
