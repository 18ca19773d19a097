package dev.kv.client.cli;

/** The exit codes of kvctl; scripts depend on them, so they never change meaning. */
final class ExitCodes {
  static final int OK = 0;

  /** The key was not found, or a conditional write's condition did not hold. */
  static final int NOT_FOUND_OR_CONDITION_FAILED = 1;

  /** {@code cluster health}: the cluster broke at least one rule (a condition did not hold). */
  static final int UNHEALTHY = 1;

  /** Bad command line, or an argument the service rejects (e.g. a key over the size limit). */
  static final int USAGE = 2;

  /** The service failed or could not be reached; stderr names the gRPC status. */
  static final int SERVICE_ERROR = 3;

  private ExitCodes() {}
}
