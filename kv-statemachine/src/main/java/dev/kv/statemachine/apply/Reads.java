package dev.kv.statemachine.apply;

import com.google.protobuf.ByteString;
import dev.kv.api.KeyHash;
import dev.kv.statemachine.proto.AppliedState;
import dev.kv.statemachine.proto.GetQuery;
import dev.kv.statemachine.proto.OwnedRange;
import dev.kv.statemachine.proto.Ownership;
import dev.kv.statemachine.proto.Rejection;
import dev.kv.statemachine.proto.GetResult;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import dev.kv.statemachine.proto.ScanEntry;
import dev.kv.statemachine.proto.ScanQuery;
import dev.kv.statemachine.proto.ScanResult;
import dev.kv.statemachine.proto.StoredValue;
import dev.kv.statemachine.storage.KvStore;
import dev.kv.statemachine.storage.StorageKeys;
import java.util.Optional;

/**
 * Answers reads from a replica's store. Whether the answer is linearizable is decided by the
 * caller (Raft ReadIndex before the read, or not); this class only reads what is applied.
 */
public final class Reads {
  /**
   * A scan page looks at no more than this many entries, so a selective prefix filter cannot make
   * one request walk the whole group; the page then ends early with a cursor.
   */
  public static final int MAX_EXAMINED_PER_PAGE = 10_000;

  /**
   * A page ends once its keys and values reach this many bytes (it always holds at least one
   * entry), so a page of large values stays far below any gRPC message limit.
   */
  public static final int MAX_PAGE_BYTES = 2 << 20;

  private final KvStore store;
  private final Ownership initialOwnership;

  /** @param initialOwnership as for {@link Applier}: what the group owns before it is told */
  public Reads(KvStore store, Ownership initialOwnership) {
    this.store = store;
    this.initialOwnership = initialOwnership;
  }

  /**
   * Reads; the caller has validated the request's sizes and limits. A key or scan position
   * outside the group's owned ranges gets a WRONG_GROUP rejection instead of an answer: an
   * absent key there would be indistinguishable from a key stored by another group.
   */
  public ReadResult read(ReadRequest request) {
    AppliedState applied = store.appliedState();
    Ownership ownership = Applier.ownershipOf(applied, initialOwnership);
    ReadResult.Builder result =
        ReadResult.newBuilder()
            .setAppliedIndex(applied.getIndex())
            .setOwnershipEpoch(ownership.getEpoch());
    switch (request.getKindCase()) {
      case GET -> {
        long hash = KeyHash.of(request.getGet().getKey().toByteArray());
        if (OwnedRanges.owns(ownership, hash)) {
          result.setGet(get(request.getGet()));
        } else {
          result.setRejected(wrongGroup(ownership, hash));
        }
      }
      case SCAN -> {
        ByteString after = request.getScan().getAfter();
        long hash = after.size() >= StorageKeys.HASH_BYTES ? StorageKeys.hash(after) : 0;
        Optional<OwnedRange> range = OwnedRanges.rangeContaining(ownership, hash);
        if (range.isPresent()) {
          result.setScan(scan(request.getScan(), range.get()));
        } else {
          result.setRejected(wrongGroup(ownership, hash));
        }
      }
      case BARRIER -> { } // only the applied index
      case KIND_NOT_SET -> throw new IllegalArgumentException("read request has no query");
    }
    return result.build();
  }

  private static Rejection wrongGroup(Ownership ownership, long hash) {
    return Rejection.newBuilder()
        .setReason(Rejection.Reason.WRONG_GROUP)
        .setMessage(OwnedRanges.notOwned(ownership, hash))
        .build();
  }

  private GetResult get(GetQuery query) {
    return store
        .get(StorageKeys.of(query.getKey()))
        .map(
            v ->
                GetResult.newBuilder()
                    .setFound(true)
                    .setValue(v.getValue())
                    .setVersion(v.getVersion())
                    .build())
        .orElse(GetResult.getDefaultInstance());
  }

  private ScanResult scan(ScanQuery query, OwnedRange range) {
    if (query.getLimit() < 1) {
      throw new IllegalArgumentException("scan limit is " + query.getLimit() + "; it must be >= 1");
    }
    PageCollector page = new PageCollector(query, range.getEnd());
    store.scan(query.getAfter(), page);
    return page.result().setRangeEnd(range.getEnd()).build();
  }

  /** Collects one page; remembers where it stopped so the next page resumes after it. */
  private static final class PageCollector implements KvStore.ScanVisitor {
    private final ScanQuery query;
    /** The scan stops before this hash (0: at the end of the ring). */
    private final long rangeEnd;
    private final ScanResult.Builder page = ScanResult.newBuilder();
    private int examined;
    private long bytes;
    private ByteString lastExamined = ByteString.EMPTY;
    private boolean full;

    PageCollector(ScanQuery query, long rangeEnd) {
      this.query = query;
      this.rangeEnd = rangeEnd;
    }

    @Override
    public boolean visit(ByteString storageKey, StoredValue value) {
      if (rangeEnd != 0 && Long.compareUnsigned(StorageKeys.hash(storageKey), rangeEnd) >= 0) {
        return false;
      }
      examined++;
      lastExamined = storageKey;
      ByteString key = StorageKeys.userKey(storageKey);
      if (key.startsWith(query.getKeyPrefix())) {
        ScanEntry.Builder entry = ScanEntry.newBuilder().setKey(key).setVersion(value.getVersion());
        if (!query.getKeysOnly()) {
          entry.setValue(value.getValue());
        }
        page.addEntries(entry);
        bytes += key.size() + entry.getValue().size();
      }
      full =
          page.getEntriesCount() >= query.getLimit()
              || examined >= MAX_EXAMINED_PER_PAGE
              || bytes >= MAX_PAGE_BYTES;
      return !full;
    }

    ScanResult.Builder result() {
      if (full) {
        page.setResumeAfter(lastExamined);
      }
      return page;
    }
  }
}
