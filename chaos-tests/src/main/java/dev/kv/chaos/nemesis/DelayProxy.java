package dev.kv.chaos.nemesis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A userspace TCP proxy that holds every chunk of bytes for a fixed time before passing it on, in
 * both directions (this kernel has no netem). Listens on one host address; each accepted
 * connection is relayed to one target. {@link #close} drops every connection, so clients
 * reconnect (directly, once the redirect rules are gone).
 */
final class DelayProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DelayProxy.class);

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final long delayNanos;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.AtomicLong sequence = new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean closed;

  /**
   * @param bindHost the host address containers reach the host at (their network's gateway)
   * @param target where the traffic really goes
   */
  DelayProxy(String bindHost, InetSocketAddress target, long delayMillis) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getByName(bindHost));
    this.target = target;
    this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
    Thread acceptor = new Thread(this::accept, "delay-proxy-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket in = server.accept();
        Socket out = new Socket();
        out.connect(target, 5000);
        in.setTcpNoDelay(true);
        out.setTcpNoDelay(true);
        sockets.add(in);
        sockets.add(out);
        pump(in, out);
        pump(out, in);
      } catch (IOException e) {
        if (!closed) {
          LOG.debug("delay proxy to {}: {}", target, e.toString());
        }
      }
    }
  }

  /** Reads from {@code from} and writes each chunk to {@code to} once it has waited its delay. */
  private void pump(Socket from, Socket to) {
    DelayQueue<Chunk> queue = new DelayQueue<>();
    Thread reader = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream()) {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          queue.put(new Chunk(System.nanoTime() + delayNanos, sequence.incrementAndGet(),
              java.util.Arrays.copyOf(buffer, n)));
        }
      } catch (IOException e) {
        // the connection ended
      }
      queue.put(new Chunk(System.nanoTime() + delayNanos, sequence.incrementAndGet(), null));
    }, "delay-proxy-read");
    Thread writer = new Thread(() -> {
      try (OutputStream out = to.getOutputStream()) {
        for (Chunk c = queue.take(); c.bytes != null; c = queue.take()) {
          out.write(c.bytes);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // the connection ended
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "delay-proxy-write");
    reader.setDaemon(true);
    writer.setDaemon(true);
    reader.start();
    writer.start();
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    sockets.forEach(DelayProxy::closeQuietly);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing anyway
    }
  }

  /** Bytes due at a time; the sequence keeps chunks of equal due time in arrival order. */
  private record Chunk(long dueNanos, long sequence, byte[] bytes) implements Delayed {
    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      Chunk o = (Chunk) other;
      return dueNanos != o.dueNanos ? Long.compare(dueNanos, o.dueNanos)
          : Long.compare(sequence, o.sequence);
    }
  }
}
