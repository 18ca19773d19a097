package dev.kv.chaos.history;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Records a history while many client threads run. Owns the history's single clock, the operation
 * ids and the process ids; hands each client thread a {@link Client} that records its calls and
 * returns. Safe to use from any number of threads: every change takes one lock, which costs nothing
 * next to the network round trip it brackets.
 *
 * <p>A process is sequential: one operation in flight at a time. An INDETERMINATE operation,
 * though, never ends: it may take effect at any later time. If its client went on under the same
 * process, that process would have two operations in flight, which a history must not contain (and
 * a report would draw as overlapping). So after an indeterminate operation the client continues
 * under a new process id, as Jepsen does.
 *
 * <p>It never judges what it records: the server's answers are kept as they came.
 */
public final class HistoryRecorder {
  private final LongSupplier nanoClock;

  // All guarded by this.
  private long nextOperationId;
  private int nextProcess;
  private final List<Operation> finished = new ArrayList<>();
  private final Map<Long, Invocation> inFlight = new LinkedHashMap<>();
  private final List<NemesisEvent> nemesisEvents = new ArrayList<>();

  /**
   * @param nanoClock the history's one monotonic clock, for example {@code System::nanoTime}; every
   *     time in the history comes from it
   */
  public HistoryRecorder(LongSupplier nanoClock) {
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /** A new client (one sequential process to start with); give each client thread its own. */
  public synchronized Client newClient() {
    return new Client(nextProcess++);
  }

  /** Records that a fault started now. */
  public synchronized void nemesisStarted(String name) {
    nemesisEvents.add(new NemesisEvent(name, NemesisEvent.Phase.START, nanoClock.getAsLong()));
  }

  /** Records that a fault ended now. */
  public synchronized void nemesisStopped(String name) {
    nemesisEvents.add(new NemesisEvent(name, NemesisEvent.Phase.STOP, nanoClock.getAsLong()));
  }

  /**
   * The history so far. Operations still in flight are included as INDETERMINATE: nobody knows yet
   * whether they took effect, and one that completes later does not change this snapshot.
   */
  public synchronized History snapshot() {
    List<Operation> operations = new ArrayList<>(finished);
    for (Invocation invocation : inFlight.values()) {
      operations.add(invocation.finish(Outcome.INDETERMINATE, null, "in flight at the snapshot"));
    }
    return new History(operations, nemesisEvents);
  }

  private synchronized Invocation invoke(
      Client client, String key, OpKind kind, CasCondition condition, String value) {
    if (client.current != null && !client.current.done) {
      throw new IllegalStateException(
          "process "
              + client.process
              + " still has operation "
              + client.current.id
              + " in flight; a process runs one operation at a time");
    }
    Invocation invocation =
        new Invocation(
            client, nextOperationId++, key, kind, condition, value, nanoClock.getAsLong());
    inFlight.put(invocation.id, invocation);
    client.current = invocation;
    return invocation;
  }

  private synchronized void complete(
      Invocation invocation, Outcome outcome, Output output, String error) {
    if (invocation.done) {
      throw new IllegalStateException("operation " + invocation.id + " already completed");
    }
    Operation operation = invocation.finish(outcome, output, error); // validates first
    invocation.done = true;
    inFlight.remove(invocation.id);
    finished.add(operation);
    if (outcome == Outcome.INDETERMINATE) {
      invocation.client.process = nextProcess++;
    }
  }

  /**
   * One client's view of the recorder. Used by one thread at a time (like the process it stands
   * for); the recorder behind it is shared.
   */
  public final class Client {
    private int process; // guarded by HistoryRecorder.this
    private Invocation current; // guarded by HistoryRecorder.this

    private Client(int process) {
      this.process = process;
    }

    /** The process id its next operation will carry. */
    public int process() {
      synchronized (HistoryRecorder.this) {
        return process;
      }
    }

    /** Records the call of a GET; call it just before sending the request. */
    public Invocation invokeGet(String key) {
      return invoke(this, key, OpKind.GET, null, null);
    }

    /** Records the call of a PUT; call it just before sending the request. */
    public Invocation invokePut(String key, String value) {
      return invoke(this, key, OpKind.PUT, null, Objects.requireNonNull(value, "value"));
    }

    /** Records the call of a CAS; call it just before sending the request. */
    public Invocation invokeCas(String key, CasCondition condition, String value) {
      return invoke(
          this,
          key,
          OpKind.CAS,
          Objects.requireNonNull(condition, "condition"),
          Objects.requireNonNull(value, "value"));
    }
  }

  /**
   * An operation in flight. Complete it exactly once, right after the answer (or the failure)
   * arrived, with {@link #ok}, {@link #failed} or {@link #indeterminate}.
   */
  public final class Invocation {
    private final Client client;
    private final long id;
    private final int process;
    private final String key;
    private final OpKind kind;
    private final CasCondition condition;
    private final String value;
    private final long callNanos;
    private boolean done; // guarded by HistoryRecorder.this

    private Invocation(
        Client client,
        long id,
        String key,
        OpKind kind,
        CasCondition condition,
        String value,
        long callNanos) {
      this.client = client;
      this.id = id;
      this.process = client.process;
      this.key = Objects.requireNonNull(key, "key");
      this.kind = kind;
      this.condition = condition;
      this.value = value;
      this.callNanos = callNanos;
    }

    /** The operation's id in the history. */
    public long id() {
      return id;
    }

    /** The server answered; {@code output} must fit the operation's kind. */
    public void ok(Output output) {
      complete(this, Outcome.OK, Objects.requireNonNull(output, "output"), null);
    }

    /** The operation definitely did not take effect (for example UNAVAILABLE). */
    public void failed(String error) {
      complete(this, Outcome.FAILED, null, error);
    }

    /** Nobody knows whether the operation took effect (for example DEADLINE_EXCEEDED). */
    public void indeterminate(String error) {
      complete(this, Outcome.INDETERMINATE, null, error);
    }

    // Called with the recorder's lock held, so the return time is read in the same critical
    // section that publishes the operation.
    private Operation finish(Outcome outcome, Output output, String error) {
      long returnNanos =
          outcome == Outcome.INDETERMINATE ? Operation.NEVER_RETURNED : nanoClock.getAsLong();
      return new Operation(
          id, process, key, kind, condition, value, callNanos, returnNanos, outcome, output, error);
    }
  }
}
