package dev.kv.chaos.workload;

import dev.kv.chaos.check.SetCheck;
import dev.kv.chaos.check.SetCheck.Add;
import dev.kv.chaos.check.SetCheck.AddOutcome;
import dev.kv.chaos.check.SetCheck.Read;
import dev.kv.client.KeyValue;
import dev.kv.client.KvClient;
import dev.kv.client.KvInvalidArgumentException;
import dev.kv.client.KvUnavailableException;
import dev.kv.client.ReadConsistency;
import dev.kv.client.ScanOptions;
import dev.kv.client.ScanPage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * A grow-only set under faults, beside the register workload: one client adds unique elements,
 * each its own key under the run's set prefix (so the elements spread over every data group), and
 * another reads the whole set every {@link #READ_EVERY} with a linearizable, keys-only scan of
 * that prefix, page by page across the groups. A read that fails part-way is dropped. After
 * healing, {@link #finalRead} reads it once more and {@link SetCheck} judges the lot. This tests
 * what the register workload cannot: the scan across groups, resumed by cursor through leader
 * changes and faults.
 */
public final class SetWorkload implements AutoCloseable {
  static final Duration READ_EVERY = Duration.ofSeconds(2);
  /** Pacing of the adds: about 25 a second, a few hundred elements a run. */
  static final Duration ADD_EVERY = Duration.ofMillis(40);
  private static final int PAGE = 1000;
  private static final int FINAL_READ_ATTEMPTS = 10;

  private final List<String> endpoints;
  private final String prefix;
  private final RegisterWorkload.Settings settings;
  private final LongSupplier clock;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final List<Add> adds = new CopyOnWriteArrayList<>();
  private final List<Read> reads = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  /**
   * @param prefix every element's key starts with it; unique to the run
   * @param settings the register workload's settings, for its timeouts
   */
  public SetWorkload(List<String> endpoints, String prefix, RegisterWorkload.Settings settings,
      LongSupplier clock) {
    this.endpoints = List.copyOf(endpoints);
    this.prefix = prefix;
    this.settings = settings;
    this.clock = clock;
  }

  public void start() {
    start("chaos-set-adder", this::addUntilStopped);
    start("chaos-set-reader", this::readUntilStopped);
  }

  private void start(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  /** Stops both clients and waits for them. */
  @Override
  public void close() {
    RegisterWorkload.stop(stopping, threads, settings.opTimeout().multipliedBy(3));
  }

  /** One complete read of the set after every add returned; empty if none was answered. */
  public Optional<Read> finalRead() {
    try (KvClient kv = RegisterWorkload.client(endpoints, 0, Duration.ofSeconds(10),
        Duration.ofSeconds(3))) {
      for (int attempt = 0; attempt < FINAL_READ_ATTEMPTS; attempt++) {
        Optional<Read> read = readOnce(kv);
        if (read.isPresent()) {
          return read;
        }
      }
    }
    return Optional.empty();
  }

  /** Judges the adds and reads so far with {@code finalRead}. */
  public SetCheck.Result check(Optional<Read> finalRead) {
    return SetCheck.check(List.copyOf(adds), List.copyOf(reads), finalRead);
  }

  private void addUntilStopped() {
    try (KvClient kv = RegisterWorkload.client(endpoints, 1, settings.opTimeout(),
        settings.attemptTimeout())) {
      for (long n = 0; !stopping.get(); n++) {
        String element = prefix + "e" + n;
        long invoked = clock.getAsLong();
        AddOutcome outcome;
        try {
          kv.put(element.getBytes(StandardCharsets.UTF_8), new byte[] {1});
          outcome = AddOutcome.OK;
        } catch (KvUnavailableException | KvInvalidArgumentException e) {
          outcome = AddOutcome.FAILED;
        } catch (RuntimeException e) {
          outcome = AddOutcome.INDETERMINATE;
        }
        adds.add(new Add(element, invoked, clock.getAsLong(), outcome));
        pace(ADD_EVERY.toMillis());
      }
    }
  }

  private void readUntilStopped() {
    try (KvClient kv = RegisterWorkload.client(endpoints, 2, settings.opTimeout(),
        settings.attemptTimeout())) {
      while (!stopping.get()) {
        readOnce(kv).ifPresent(reads::add);
        pace(READ_EVERY.toMillis());
      }
    }
  }

  /** Every element, page by page; empty when a page failed. */
  private Optional<Read> readOnce(KvClient kv) {
    long start = clock.getAsLong();
    Set<String> elements = new HashSet<>();
    ScanOptions options = ScanOptions.builder().prefix(prefix).keysOnly(true).limit(PAGE)
        .consistency(ReadConsistency.LINEARIZABLE).build();
    try {
      while (true) {
        ScanPage page = kv.scan(options);
        for (KeyValue kvPair : page.entries()) {
          elements.add(kvPair.keyAsString());
        }
        if (!page.hasMore()) {
          return Optional.of(new Read(start, clock.getAsLong(), elements));
        }
        options = options.withCursor(page.nextCursor());
      }
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private void pace(long maxMillis) {
    try {
      TimeUnit.MILLISECONDS.sleep(maxMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping.set(true);
    }
  }
}
