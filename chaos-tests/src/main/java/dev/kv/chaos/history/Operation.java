package dev.kv.chaos.history;

import java.util.Objects;

/**
 * One operation a client invoked on one key, with what it learned about the outcome. Times come
 * from the one monotonic clock of the history that recorded it: the call time is read before the
 * request is sent, the return time after the answer arrived, so the operation took effect (if at
 * all) somewhere in between.
 *
 * @param id unique in its history; ids grow in the order operations were invoked
 * @param process the sequential client that invoked it; a process has at most one operation in
 *     flight, and a client continues under a new process after an indeterminate operation (see
 *     {@link HistoryRecorder})
 * @param key the key the operation addressed
 * @param kind what the operation does
 * @param condition the condition of a CAS; null for other kinds
 * @param value the value a PUT or CAS writes; null for a GET
 * @param callNanos when the client invoked it
 * @param returnNanos when the client got the answer; {@link #NEVER_RETURNED} exactly when the
 *     outcome is {@link Outcome#INDETERMINATE}
 * @param outcome whether it took effect: yes, no, or unknown
 * @param output the server's answer; non-null exactly when the outcome is {@link Outcome#OK}, of
 *     the {@link Output} type that matches {@code kind}
 * @param error why the outcome is FAILED or INDETERMINATE (a status code, an exception), for the
 *     report; null when OK, optional otherwise
 */
public record Operation(
    long id,
    int process,
    String key,
    OpKind kind,
    CasCondition condition,
    String value,
    long callNanos,
    long returnNanos,
    Outcome outcome,
    Output output,
    String error) {

  /** The return time of an operation whose outcome is unknown: it may take effect any time. */
  public static final long NEVER_RETURNED = Long.MAX_VALUE;

  public Operation {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(outcome, "outcome");
    String what = "operation " + id + " (" + kind + " " + key + ")";
    if ((kind == OpKind.CAS) != (condition != null)) {
      throw new IllegalArgumentException(what + ": a condition belongs to CAS and only to CAS");
    }
    if ((kind == OpKind.GET) != (value == null)) {
      throw new IllegalArgumentException(what + ": PUT and CAS write a value, GET does not");
    }
    if ((outcome == Outcome.INDETERMINATE) != (returnNanos == NEVER_RETURNED)) {
      throw new IllegalArgumentException(
          what
              + ": exactly the INDETERMINATE operations never return, but outcome is "
              + outcome
              + " and return time is "
              + returnNanos);
    }
    if (returnNanos < callNanos) {
      throw new IllegalArgumentException(
          what + ": returned at " + returnNanos + ", before its call at " + callNanos);
    }
    if ((outcome == Outcome.OK) != (output != null)) {
      throw new IllegalArgumentException(what + ": exactly the OK operations have an output");
    }
    if (output != null && !matches(kind, output)) {
      throw new IllegalArgumentException(what + ": output " + output + " does not fit " + kind);
    }
    if (outcome == Outcome.OK && error != null) {
      throw new IllegalArgumentException(what + ": an OK operation has no error");
    }
  }

  /** Whether the client got an answer (OK or FAILED); false for INDETERMINATE. */
  public boolean returned() {
    return outcome != Outcome.INDETERMINATE;
  }

  private static boolean matches(OpKind kind, Output output) {
    return switch (kind) {
      case GET -> output instanceof Output.ReadResult;
      case PUT -> output instanceof Output.PutResult;
      case CAS -> output instanceof Output.CasResult;
    };
  }
}
