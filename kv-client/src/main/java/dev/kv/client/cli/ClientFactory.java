package dev.kv.client.cli;

import dev.kv.client.KvClient;
import java.time.Duration;
import java.util.List;

/** Opens the client a command runs against; tests substitute one on an in-process transport. */
@FunctionalInterface
interface ClientFactory {
  /**
   * @throws IllegalArgumentException naming the invalid setting, e.g. a malformed endpoint
   */
  KvClient connect(List<String> endpoints, Duration timeout);
}
