package dev.kv.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * A three-member cluster of one store that the bench starts on loopback for a comparison and must
 * stop again, whatever happens. {@link #close()} may be called at any time, from any thread, more
 * than once (the shutdown hook may race the normal path), also before or during {@link #start()}.
 */
public interface BenchCluster extends AutoCloseable {

  /** Short name for progress messages, e.g. "etcd". */
  String name();

  /** Starts every member and returns once the cluster answers requests. */
  void start() throws Exception;

  /** The client endpoints, "host:port". */
  List<String> endpoints();

  /**
   * The process ids of the running members, for {@link ServerCost}; empty when they cannot be
   * known (not started, stopped).
   */
  List<Long> serverPids();

  /** The members' data directories (logs stay elsewhere), to delete once a run is over. */
  List<Path> dataDirs();

  /** Stops every member this object started; never throws. */
  @Override
  void close();
}
