package dev.kv.statemachine.storage;

import java.util.Optional;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.Statistics;
import org.rocksdb.WriteBufferManager;

/**
 * RocksDB resources shared by every store on a node: one block cache and one write-buffer budget
 * (charged to that cache), so the memory of a node does not grow with its number of groups.
 * Background compaction and flush threads come from RocksDB's process-wide default Env and are
 * shared as well, and so are statistics when they are collected (one set of counters for the
 * node, read by its metrics). Close it after every store that uses it.
 */
public final class RocksDbResources implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private final Cache blockCache;
  private final WriteBufferManager writeBufferManager;
  private final int backgroundJobs;
  private final Statistics statistics;

  public RocksDbResources(long blockCacheBytes, long writeBufferBytes, int backgroundJobs) {
    this(blockCacheBytes, writeBufferBytes, backgroundJobs, false);
  }

  /**
   * @param collectStatistics whether the stores keep RocksDB statistics (tickers and
   *     histograms, RocksDB's default level); this costs some CPU on every operation
   */
  public RocksDbResources(
      long blockCacheBytes, long writeBufferBytes, int backgroundJobs, boolean collectStatistics) {
    if (writeBufferBytes > blockCacheBytes) {
      throw new IllegalArgumentException(
          "write buffer budget " + writeBufferBytes + " bytes exceeds the block cache "
              + blockCacheBytes + " bytes it is charged to");
    }
    this.blockCache = new LRUCache(blockCacheBytes);
    this.writeBufferManager = new WriteBufferManager(writeBufferBytes, blockCache);
    this.backgroundJobs = backgroundJobs;
    this.statistics = collectStatistics ? new Statistics() : null;
  }

  /** Small defaults for a development node: 64 MiB cache, 32 MiB of memtables, 2 jobs. */
  public static RocksDbResources defaults() {
    return defaults(false);
  }

  /** {@link #defaults()}, collecting statistics when asked to. */
  public static RocksDbResources defaults(boolean collectStatistics) {
    return new RocksDbResources(64L << 20, 32L << 20, 2, collectStatistics);
  }

  Cache blockCache() {
    return blockCache;
  }

  WriteBufferManager writeBufferManager() {
    return writeBufferManager;
  }

  int backgroundJobs() {
    return backgroundJobs;
  }

  /** The statistics every store opened with these resources adds to, if they are collected. */
  public Optional<Statistics> statistics() {
    return Optional.ofNullable(statistics);
  }

  @Override
  public void close() {
    writeBufferManager.close();
    blockCache.close();
    if (statistics != null) {
      statistics.close();
    }
  }
}
