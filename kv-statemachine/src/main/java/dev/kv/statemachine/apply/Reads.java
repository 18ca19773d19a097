package dev.kv.statemachine.apply;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.proto.GetQuery;
import dev.kv.statemachine.proto.GetResult;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import dev.kv.statemachine.proto.ScanEntry;
import dev.kv.statemachine.proto.ScanQuery;
import dev.kv.statemachine.proto.ScanResult;
import dev.kv.statemachine.proto.StoredValue;
import dev.kv.statemachine.storage.KvStore;
import dev.kv.statemachine.storage.StorageKeys;

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

  public Reads(KvStore store) {
    this.store = store;
  }

  /** Reads; the caller has validated the request's sizes and limits. */
  public ReadResult read(ReadRequest request) {
    long appliedIndex = store.appliedState().getIndex();
    ReadResult.Builder result = ReadResult.newBuilder();
    switch (request.getKindCase()) {
      case GET -> result.setGet(get(request.getGet()));
      case SCAN -> result.setScan(scan(request.getScan()));
      case BARRIER -> { } // only the applied index
      case KIND_NOT_SET -> throw new IllegalArgumentException("read request has no query");
    }
    return result.setAppliedIndex(appliedIndex).build();
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

  private ScanResult scan(ScanQuery query) {
    if (query.getLimit() < 1) {
      throw new IllegalArgumentException("scan limit is " + query.getLimit() + "; it must be >= 1");
    }
    PageCollector page = new PageCollector(query);
    store.scan(query.getAfter(), page);
    return page.result();
  }

  /** Collects one page; remembers where it stopped so the next page resumes after it. */
  private static final class PageCollector implements KvStore.ScanVisitor {
    private final ScanQuery query;
    private final ScanResult.Builder page = ScanResult.newBuilder();
    private int examined;
    private long bytes;
    private ByteString lastExamined = ByteString.EMPTY;
    private boolean full;

    PageCollector(ScanQuery query) {
      this.query = query;
    }

    @Override
    public boolean visit(ByteString storageKey, StoredValue value) {
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

    ScanResult result() {
      if (full) {
        page.setResumeAfter(lastExamined);
      }
      return page.build();
    }
  }
}
