package dev.kv.statemachine.storage;

import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * RocksDB resources shared by every store on a node: one block cache and one write-buffer budget
 * (charged to that cache), so the memory of a node does not grow with its number of groups.
 * Background compaction and flush threads come from RocksDB's process-wide default Env and are
 * shared as well. Close it after every store that uses it.
 */
public final class RocksDbResources implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private final Cache blockCache;
  private final WriteBufferManager writeBufferManager;
  private final int backgroundJobs;

  public RocksDbResources(long blockCacheBytes, long writeBufferBytes, int backgroundJobs) {
    if (writeBufferBytes > blockCacheBytes) {
      throw new IllegalArgumentException(
          "write buffer budget " + writeBufferBytes + " bytes exceeds the block cache "
              + blockCacheBytes + " bytes it is charged to");
    }
    this.blockCache = new LRUCache(blockCacheBytes);
    this.writeBufferManager = new WriteBufferManager(writeBufferBytes, blockCache);
    this.backgroundJobs = backgroundJobs;
  }

  /** Small defaults for a development node: 64 MiB cache, 32 MiB of memtables, 2 jobs. */
  public static RocksDbResources defaults() {
    return new RocksDbResources(64L << 20, 32L << 20, 2);
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

  @Override
  public void close() {
    writeBufferManager.close();
    blockCache.close();
  }
}
