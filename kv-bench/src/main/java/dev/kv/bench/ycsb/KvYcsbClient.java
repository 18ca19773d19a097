package dev.kv.bench.ycsb;

import dev.kv.client.CasResult;
import dev.kv.client.Condition;
import dev.kv.client.KeyValue;
import dev.kv.client.KvClient;
import dev.kv.client.KvException;
import dev.kv.client.KvFailedPreconditionException;
import dev.kv.client.KvInvalidArgumentException;
import dev.kv.client.KvOperations;
import dev.kv.client.KvOutcomeUnknownException;
import dev.kv.client.KvUnavailableException;
import dev.kv.client.ReadConsistency;
import dev.kv.client.ScanOptions;
import dev.kv.client.VersionedValue;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import java.util.stream.Stream;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * The YCSB binding of kv ({@code -db dev.kv.bench.ycsb.KvYcsbClient}), through the kv-client SDK.
 *
 * <p><b>Properties.</b> {@code kv.endpoints}: comma-separated HOST:PORT of the API (default {@value
 * #DEFAULT_ENDPOINTS}, the cluster of {@code bin/kv-local up}); {@code kv.readConsistency}: {@code
 * linearizable} (default) or {@code serializable}, used by read, scan and the read of an update;
 * {@code kv.updateAttempts}: compare-and-set attempts of one update (default {@value
 * #DEFAULT_UPDATE_ATTEMPTS}).
 *
 * <p><b>Data model.</b> YCSB runs one instance per client thread; all the instances of a JVM share
 * one {@link KvClient} (the SDK is thread-safe and recommends one per process), counted by
 * reference and closed by the {@link #cleanup()} of the last one. A record {@code (table, key)} is
 * the kv key {@code table + ":" + key} in UTF-8, and its fields are one value in {@link
 * RecordCodec}'s format.
 *
 * <ul>
 *   <li>read: one get; only the requested fields are returned (all when YCSB passes null).
 *   <li>insert: one put (it overwrites, as YCSB's insert does in most bindings).
 *   <li>update: YCSB merges the given fields into the stored record, so it is a read-modify-write:
 *       get, merge, then compareAndSet on the version read, retried from the get when another
 *       writer got in between. An absent record is {@link Status#NOT_FOUND}; losing every attempt
 *       is the status {@code UPDATE_CONFLICT}. Workload F's read-modify-write is YCSB's own read
 *       followed by this update.
 *   <li>delete: one delete; {@link Status#NOT_FOUND} when the key did not exist.
 *   <li>scan: <b>not comparable with key-ordered stores.</b> kv scans in hash order
 *       (hash(key), key), not key order, so YCSB's "the {@code recordcount} records from {@code
 *       startkey} on, in key order" cannot be honoured. This binding ignores {@code startkey} and
 *       returns the first {@code recordcount} records of the table's prefix ({@code table + ":"})
 *       in hash order: a scan of the same length and cost shape, over other records. Workload E's
 *       figures measure that, and must not be compared with stores that seek to a start key.
 * </ul>
 *
 * <p><b>Errors.</b> A failed operation never throws to YCSB; it returns a status: {@link
 * KvOutcomeUnknownException} (a write that may have been applied) is {@code ERROR} with a
 * description that says so, {@link KvUnavailableException} is {@code SERVICE_UNAVAILABLE}, {@link
 * KvInvalidArgumentException} is {@code BAD_REQUEST}, {@link KvFailedPreconditionException} is
 * {@code UNEXPECTED_STATE}, any other {@link KvException} is {@code ERROR}; a stored value that is
 * not a record is {@code UNEXPECTED_STATE}.
 */
public class KvYcsbClient extends DB {
  public static final String ENDPOINTS_PROPERTY = "kv.endpoints";
  public static final String READ_CONSISTENCY_PROPERTY = "kv.readConsistency";
  public static final String UPDATE_ATTEMPTS_PROPERTY = "kv.updateAttempts";
  public static final String DEFAULT_ENDPOINTS = "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003";
  public static final int DEFAULT_UPDATE_ATTEMPTS = 10;

  /** Returned when every compare-and-set attempt of an update lost to another writer. */
  public static final Status UPDATE_CONFLICT =
      new Status("UPDATE_CONFLICT", "The record changed under every compare-and-set attempt.");

  private static final Object SHARED_LOCK = new Object();
  private static KvClient sharedClient;
  private static int sharedReferences;

  private KvOperations kv;
  private boolean ownsSharedReference;
  private ReadConsistency readConsistency = ReadConsistency.LINEARIZABLE;
  private int updateAttempts = DEFAULT_UPDATE_ATTEMPTS;

  /** The constructor YCSB calls; {@link #init()} connects. */
  public KvYcsbClient() {}

  /** A binding over the given operations (tests), configured from {@code properties}. */
  KvYcsbClient(KvOperations kv, Properties properties) {
    this.kv = kv;
    setProperties(properties);
    configure(properties);
  }

  @Override
  public void init() throws DBException {
    Properties properties = getProperties();
    configure(properties);
    List<String> endpoints =
        Arrays.stream(properties.getProperty(ENDPOINTS_PROPERTY, DEFAULT_ENDPOINTS).split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList();
    if (endpoints.isEmpty()) {
      throw new DBException(ENDPOINTS_PROPERTY + " names no endpoint");
    }
    synchronized (SHARED_LOCK) {
      if (sharedClient == null) {
        try {
          sharedClient = KvClient.builder().endpoints(endpoints).build();
        } catch (RuntimeException e) {
          throw new DBException("cannot create the kv client for " + endpoints + ": " + e, e);
        }
      }
      sharedReferences++;
      ownsSharedReference = true;
      kv = sharedClient;
    }
  }

  private void configure(Properties properties) {
    String consistency = properties.getProperty(READ_CONSISTENCY_PROPERTY, "linearizable");
    try {
      readConsistency = ReadConsistency.valueOf(consistency.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          READ_CONSISTENCY_PROPERTY
              + " is '"
              + consistency
              + "'; it must be linearizable or serializable",
          e);
    }
    updateAttempts =
        Integer.parseInt(
            properties.getProperty(
                UPDATE_ATTEMPTS_PROPERTY, Integer.toString(DEFAULT_UPDATE_ATTEMPTS)));
    if (updateAttempts < 1) {
      throw new IllegalArgumentException(UPDATE_ATTEMPTS_PROPERTY + " must be >= 1");
    }
  }

  @Override
  public void cleanup() throws DBException {
    synchronized (SHARED_LOCK) {
      if (!ownsSharedReference) {
        return;
      }
      ownsSharedReference = false;
      kv = null;
      if (--sharedReferences == 0) {
        KvClient client = sharedClient;
        sharedClient = null;
        client.close();
      }
    }
  }

  /** The number of live instances holding the shared client (tests). */
  static int sharedReferences() {
    synchronized (SHARED_LOCK) {
      return sharedReferences;
    }
  }

  /** The kv key of a YCSB record: {@code table + ":" + key}, UTF-8. */
  static byte[] kvKey(String table, String key) {
    return (table + ":" + key).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Status read(
      String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
    try {
      Optional<VersionedValue> value = kv.get(kvKey(table, key), readConsistency);
      if (value.isEmpty()) {
        return Status.NOT_FOUND;
      }
      result.putAll(RecordCodec.decode(value.get().value(), fields));
      return Status.OK;
    } catch (RuntimeException e) {
      return statusOf(e);
    }
  }

  /**
   * Hash-ordered, not key-ordered: ignores {@code startkey} and returns up to {@code recordcount}
   * records of the table from the beginning of its prefix (see the class comment).
   */
  @Override
  public Status scan(
      String table,
      String startkey,
      int recordcount,
      Set<String> fields,
      Vector<HashMap<String, ByteIterator>> result) {
    if (recordcount <= 0) {
      return Status.OK;
    }
    ScanOptions options =
        ScanOptions.builder()
            .prefix(table + ":")
            .limit(Math.min(recordcount, 1000))
            .consistency(readConsistency)
            .build();
    try (Stream<KeyValue> entries = kv.scanAll(options)) {
      entries.limit(recordcount).forEach(e -> result.add(RecordCodec.decode(e.value(), fields)));
      return Status.OK;
    } catch (RuntimeException e) {
      return statusOf(e);
    }
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    // YCSB's iterators can be read once; the merge may need them once per attempt.
    Map<String, byte[]> changes = new LinkedHashMap<>();
    values.forEach((field, value) -> changes.put(field, value.toArray()));
    byte[] kvKey = kvKey(table, key);
    try {
      for (int attempt = 1; attempt <= updateAttempts; attempt++) {
        Optional<VersionedValue> current = kv.get(kvKey, readConsistency);
        if (current.isEmpty()) {
          return Status.NOT_FOUND;
        }
        HashMap<String, ByteIterator> record = RecordCodec.decode(current.get().value());
        changes.forEach((field, value) -> record.put(field, new ByteArrayByteIterator(value)));
        CasResult cas =
            kv.compareAndSet(
                kvKey, Condition.versionEquals(current.get().version()), RecordCodec.encode(record));
        if (cas.succeeded()) {
          return Status.OK;
        }
        if (cas.version() == 0) {
          return Status.NOT_FOUND; // deleted since the get
        }
      }
      return UPDATE_CONFLICT;
    } catch (RuntimeException e) {
      return statusOf(e);
    }
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    try {
      kv.put(kvKey(table, key), RecordCodec.encode(values));
      return Status.OK;
    } catch (RuntimeException e) {
      return statusOf(e);
    }
  }

  @Override
  public Status delete(String table, String key) {
    try {
      return kv.delete(kvKey(table, key)) ? Status.OK : Status.NOT_FOUND;
    } catch (RuntimeException e) {
      return statusOf(e);
    }
  }

  /** The YCSB status of a failed operation; see the class comment. */
  static Status statusOf(RuntimeException e) {
    if (e instanceof KvOutcomeUnknownException unknown) {
      return new Status(
          Status.ERROR.getName(),
          "outcome unknown, the write may have been applied ("
              + unknown.code()
              + "): "
              + unknown.getMessage());
    }
    if (e instanceof KvUnavailableException) {
      return Status.SERVICE_UNAVAILABLE;
    }
    if (e instanceof KvInvalidArgumentException) {
      return Status.BAD_REQUEST;
    }
    if (e instanceof KvFailedPreconditionException) {
      return Status.UNEXPECTED_STATE;
    }
    if (e instanceof KvException kv) {
      return new Status(Status.ERROR.getName(), kv.code() + ": " + kv.getMessage());
    }
    if (e instanceof IllegalArgumentException) {
      // RecordCodec: the stored value is not a record of this binding.
      return new Status(Status.UNEXPECTED_STATE.getName(), e.getMessage());
    }
    return new Status(Status.ERROR.getName(), e.toString());
  }
}
