package dev.kv.chaos.workload;

import dev.kv.chaos.history.CasCondition;
import dev.kv.chaos.history.HistoryRecorder;
import dev.kv.chaos.history.Output;
import dev.kv.client.CasResult;
import dev.kv.client.Condition;
import dev.kv.client.KvClient;
import dev.kv.client.KvException;
import dev.kv.client.KvInvalidArgumentException;
import dev.kv.client.KvOutcomeUnknownException;
import dev.kv.client.KvUnavailableException;
import dev.kv.client.ReadConsistency;
import dev.kv.client.VersionedValue;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Per-key registers under concurrent clients: GET, PUT and compare-and-set with unique values,
 * recorded in a {@link HistoryRecorder}. Each worker thread is one client (its own KvClient, so
 * its own exactly-once id); the SDK sends each key to its group's leader by the placement map and
 * fails over between the endpoints, which each client lists from its own node on. Keys are
 * used a bounded number of times, then replaced by fresh ones, which keeps each key's history
 * small enough for the checker; fresh keys go to the cluster's groups in turn.
 *
 * <p>Outcomes: an answer is OK; UNAVAILABLE and rejected arguments are FAILED (the SDK guarantees
 * such a write was not applied); KvOutcomeUnknownException and any other error of a write are
 * INDETERMINATE. A failed read is FAILED whatever the reason (a read changes nothing).
 */
public final class RegisterWorkload implements AutoCloseable {

  /**
   * @param workers concurrent clients
   * @param activeKeys keys in use at a time
   * @param opsPerKey operations per key before it is retired
   * @param opTimeout a client's total time for one operation, retries included
   * @param attemptTimeout a client's time for one attempt on one node
   * @param maxThinkMillis a worker pauses up to this long between operations (pacing, so the
   *     clients leave the 2-core machine to the nodes)
   * @param readConsistency of the workload's GETs (SERIALIZABLE only to show what it allows)
   */
  public record Settings(
      int workers,
      int activeKeys,
      int opsPerKey,
      Duration opTimeout,
      Duration attemptTimeout,
      int maxThinkMillis,
      ReadConsistency readConsistency) {
    public static final Settings DEFAULTS =
        new Settings(6, 12, 120, Duration.ofSeconds(5), Duration.ofMillis(1500), 8,
            ReadConsistency.LINEARIZABLE);
  }

  private final List<String> endpoints;
  private final HistoryRecorder recorder;
  private final Settings settings;
  private final KeyPool keys;
  private final long seed;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();

  public RegisterWorkload(
      List<String> endpoints, HistoryRecorder recorder, String keyPrefix, KeySpread spread,
      Settings settings, long seed) {
    this.endpoints = List.copyOf(endpoints);
    this.recorder = recorder;
    this.settings = settings;
    this.keys = new KeyPool(keyPrefix, settings.activeKeys(), settings.opsPerKey(), spread);
    this.seed = seed;
  }

  /** Starts the worker threads. */
  public void start() {
    Random seeds = new Random(seed);
    for (int w = 0; w < settings.workers(); w++) {
      Worker worker = new Worker(w, new Random(seeds.nextLong()));
      Thread thread = new Thread(worker, "chaos-worker-" + w);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  /** Every key the workload used. */
  public List<String> keys() {
    return keys.used();
  }

  /**
   * Stops the workers and waits for them; an operation still in flight after that is recorded as
   * INDETERMINATE by the recorder's snapshot.
   */
  @Override
  public void close() {
    stop(stopping, threads, settings.opTimeout().multipliedBy(3));
  }

  /** Raises {@code stopping} and waits up to {@code each} for each of {@code threads}. */
  static void stop(AtomicBoolean stopping, List<Thread> threads, Duration each) {
    stopping.set(true);
    for (Thread thread : threads) {
      try {
        thread.join(each.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** A client for worker {@code index}: its own node first, the others for fail-over. */
  public static KvClient client(List<String> endpoints, int index, Duration timeout,
      Duration attemptTimeout) {
    List<String> rotated = new ArrayList<>();
    for (int i = 0; i < endpoints.size(); i++) {
      rotated.add(endpoints.get((index + i) % endpoints.size()));
    }
    return KvClient.builder().endpoints(rotated).timeout(timeout).attemptTimeout(attemptTimeout)
        .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(500)).build();
  }

  private final class Worker implements Runnable {
    private final int index;
    private final Random random;
    private final Map<String, VersionedValue> lastSeen = new HashMap<>();
    private long written;

    Worker(int index, Random random) {
      this.index = index;
      this.random = random;
    }

    @Override
    public void run() {
      HistoryRecorder.Client history = recorder.newClient();
      try (KvClient kv = client(endpoints, index, settings.opTimeout(),
          settings.attemptTimeout())) {
        while (!stopping.get()) {
          String key = keys.take(random);
          double dice = random.nextDouble();
          if (dice < 0.5) {
            get(kv, history, key);
          } else if (dice < 0.75) {
            put(kv, history, key);
          } else {
            cas(kv, history, key);
          }
          if (settings.maxThinkMillis() > 0) {
            TimeUnit.MILLISECONDS.sleep(random.nextInt(settings.maxThinkMillis() + 1));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private String nextValue() {
      return "w" + index + "-" + (++written);
    }

    private void get(KvClient kv, HistoryRecorder.Client history, String key) {
      HistoryRecorder.Invocation op = history.invokeGet(key);
      try {
        Optional<VersionedValue> got = kv.get(utf8(key), settings.readConsistency());
        op.ok(got.map(v -> Output.read(v.valueAsString(), v.version()))
            .orElseGet(Output::absent));
        got.ifPresentOrElse(v -> lastSeen.put(key, v), () -> lastSeen.remove(key));
      } catch (KvException e) {
        op.failed(describe(e));
      } catch (RuntimeException e) {
        op.failed(e.toString());
      }
    }

    private void put(KvClient kv, HistoryRecorder.Client history, String key) {
      String value = nextValue();
      HistoryRecorder.Invocation op = history.invokePut(key, value);
      try {
        long version = kv.put(utf8(key), utf8(value));
        op.ok(Output.put(version));
        lastSeen.put(key, new VersionedValue(utf8(value), version));
      } catch (RuntimeException e) {
        writeFailed(op, e);
      }
    }

    private void cas(KvClient kv, HistoryRecorder.Client history, String key) {
      String value = nextValue();
      VersionedValue seen = lastSeen.get(key);
      CasCondition recorded;
      Condition sent;
      if (seen == null) {
        recorded = CasCondition.absent();
        sent = Condition.absent();
      } else if (random.nextBoolean()) {
        recorded = CasCondition.versionEquals(seen.version());
        sent = Condition.versionEquals(seen.version());
      } else {
        recorded = CasCondition.valueEquals(seen.valueAsString());
        sent = Condition.valueEquals(seen.valueAsString());
      }
      HistoryRecorder.Invocation op = history.invokeCas(key, recorded, value);
      try {
        CasResult result = kv.compareAndSet(utf8(key), sent, utf8(value));
        op.ok(Output.cas(result.succeeded(), result.version()));
        if (result.succeeded()) {
          lastSeen.put(key, new VersionedValue(utf8(value), result.version()));
        } else {
          lastSeen.remove(key); // unknown value now; the next CAS of this key is create-if-absent
        }
      } catch (RuntimeException e) {
        writeFailed(op, e);
      }
    }
  }

  /** Records a write that threw: FAILED only where the SDK guarantees it was not applied. */
  static void writeFailed(HistoryRecorder.Invocation op, RuntimeException e) {
    if (e instanceof KvUnavailableException || e instanceof KvInvalidArgumentException) {
      op.failed(describe(e));
    } else {
      op.indeterminate(e instanceof KvException ke ? describe(ke) : e.toString());
    }
  }

  static String describe(RuntimeException e) {
    if (e instanceof KvOutcomeUnknownException ke) {
      return "outcome unknown (" + ke.code() + ")";
    }
    if (e instanceof KvException ke) {
      Status.Code code = ke.code();
      return code.name();
    }
    return e.toString();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
