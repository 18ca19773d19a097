package dev.kv.client.internal;

import dev.kv.client.KeyValue;
import dev.kv.client.KvOperations;
import dev.kv.client.KvStatusException;
import dev.kv.client.ScanOptions;
import dev.kv.client.ScanPage;
import io.grpc.Status;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Walks a scan page by page, fetching the next page only when the current one is used up. Holds no
 * connection between pages, so an abandoned iteration needs no cleanup.
 */
final class ScanIterator implements Iterator<KeyValue> {
  private final KvOperations operations;
  private ScanOptions next;
  private Iterator<KeyValue> page = Collections.emptyIterator();

  private ScanIterator(KvOperations operations, ScanOptions first) {
    this.operations = operations;
    this.next = first;
  }

  static Stream<KeyValue> stream(KvOperations operations, ScanOptions options) {
    Iterator<KeyValue> iterator = new ScanIterator(operations, options);
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(
            iterator, Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE),
        false);
  }

  @Override
  public boolean hasNext() {
    // A filtered page can be empty and still not be the last, so keep fetching.
    while (!page.hasNext() && next != null) {
      ScanOptions request = next;
      ScanPage fetched = operations.scan(request);
      page = fetched.entries().iterator();
      if (!fetched.hasMore()) {
        next = null;
      } else if (fetched.entries().isEmpty()
          && Arrays.equals(fetched.nextCursor(), request.cursor())) {
        // Without this check a server that stops advancing would make us loop forever.
        throw new KvStatusException(
            Status.Code.INTERNAL,
            "scan made no progress: the server returned the same cursor",
            null);
      } else {
        next = request.withCursor(fetched.nextCursor());
      }
    }
    return page.hasNext();
  }

  @Override
  public KeyValue next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return page.next();
  }
}
