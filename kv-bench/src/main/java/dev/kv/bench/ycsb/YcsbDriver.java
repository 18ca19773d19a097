package dev.kv.bench.ycsb;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.htrace.core.HTraceConfiguration;
import org.apache.htrace.core.Tracer;
import site.ycsb.Client;
import site.ycsb.ClientThread;
import site.ycsb.DB;
import site.ycsb.DBFactory;
import site.ycsb.Workload;
import site.ycsb.measurements.Measurements;
import site.ycsb.measurements.exporter.TextMeasurementsExporter;

/**
 * Runs one phase of a YCSB workload in this JVM with YCSB's own pieces: its {@link Workload}
 * (CoreWorkload), one {@link ClientThread} per thread, each with a {@link DB} from {@link
 * DBFactory} (which wraps the binding in YCSB's measuring DBWrapper), and its {@link Measurements}
 * written by its {@link TextMeasurementsExporter}. This is what {@code site.ycsb.Client.main}
 * does, without its {@code System.exit} and its static state, so that the load and transaction
 * phases can run one after the other in one process. Not supported: {@code target} throttling,
 * {@code maxexecutiontime}, the status thread.
 */
public final class YcsbDriver {
  private final PrintStream out;
  private final PrintStream err;

  public YcsbDriver(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** The properties of {@code workloadX} (bundled under {@code /ycsb/}), for X in a..f. */
  public static Properties workload(String letter) throws IOException {
    String resource = "/ycsb/workload" + letter;
    Properties properties = new Properties();
    try (InputStream in = YcsbDriver.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no YCSB workload " + letter + " (" + resource + ")");
      }
      properties.load(in);
    }
    return properties;
  }

  /** The outcome of a phase: operations done and wall time. */
  public record PhaseResult(int operations, long runtimeMillis) {
    public double throughput() {
      return runtimeMillis == 0 ? 0 : 1000.0 * operations / runtimeMillis;
    }
  }

  /**
   * Runs the load phase ({@code transactions} false: inserts {@code recordcount} records) or the
   * transaction phase ({@code operationcount} operations), then prints YCSB's summary to the output.
   */
  public PhaseResult run(Properties base, boolean transactions) throws Exception {
    Properties props = new Properties();
    props.putAll(base);
    props.setProperty(Client.DO_TRANSACTIONS_PROPERTY, Boolean.toString(transactions));
    int threads = Integer.parseInt(props.getProperty(Client.THREAD_COUNT_PROPERTY, "1"));
    int operations =
        Integer.parseInt(
            transactions
                ? props.getProperty(Client.OPERATION_COUNT_PROPERTY, "0")
                : props.getProperty(
                    Client.INSERT_COUNT_PROPERTY,
                    props.getProperty(Client.RECORD_COUNT_PROPERTY, Client.DEFAULT_RECORD_COUNT)));
    if (operations > 0 && threads > operations) {
      threads = operations;
    }
    props.setProperty(Client.THREAD_COUNT_PROPERTY, Integer.toString(threads));

    // Measurements is a process-wide singleton created on first use: a fresh one per phase.
    Measurements.setProperties(props);
    resetMeasurements();

    Workload workload =
        Class.forName(props.getProperty(Client.WORKLOAD_PROPERTY))
            .asSubclass(Workload.class)
            .getConstructor()
            .newInstance();
    workload.init(props);
    Tracer tracer =
        new Tracer.Builder("YCSB " + workload.getClass().getSimpleName())
            .conf(HTraceConfiguration.EMPTY)
            .build();
    String dbName = props.getProperty(Client.DB_PROPERTY, KvYcsbClient.class.getName());

    CountDownLatch finished = new CountDownLatch(threads);
    List<ClientThread> clients = new ArrayList<>();
    for (int id = 0; id < threads; id++) {
      DB db = DBFactory.newDB(dbName, props, tracer);
      int share = operations / threads + (id < operations % threads ? 1 : 0);
      ClientThread client = new ClientThread(db, transactions, workload, props, share, -1, finished);
      client.setThreadId(id);
      client.setThreadCount(threads);
      clients.add(client);
    }
    err.printf(
        "ycsb: %s phase, %d operations on %d threads%n",
        transactions ? "transaction" : "load", operations, threads);
    List<Thread> running = new ArrayList<>();
    long start = System.currentTimeMillis();
    for (int id = 0; id < clients.size(); id++) {
      Thread thread = new Thread(clients.get(id), "ycsb-client-" + id);
      running.add(thread);
      thread.start();
    }
    int done = 0;
    for (int id = 0; id < running.size(); id++) {
      running.get(id).join();
      done += clients.get(id).getOpsDone();
    }
    long runtime = System.currentTimeMillis() - start;
    workload.cleanup();
    tracer.close();

    // The exporter closes its stream at the end: keep ours open.
    OutputStream unclosable =
        new FilterOutputStream(out) {
          @Override
          public void close() throws IOException {
            flush();
          }
        };
    TextMeasurementsExporter exporter = new TextMeasurementsExporter(unclosable);
    try {
      exporter.write("OVERALL", "RunTime(ms)", runtime);
      exporter.write("OVERALL", "Throughput(ops/sec)", 1000.0 * done / Math.max(1, runtime));
      Measurements.getMeasurements().exportMeasurements(exporter);
    } finally {
      exporter.close();
    }
    return new PhaseResult(done, runtime);
  }

  private static void resetMeasurements() throws ReflectiveOperationException {
    Field singleton = Measurements.class.getDeclaredField("singleton");
    singleton.setAccessible(true);
    singleton.set(null, null);
  }
}
