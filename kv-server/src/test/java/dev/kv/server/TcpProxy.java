package dev.kv.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A userspace TCP proxy in front of one node's Raft port, so a test can cut a running node off
 * from its peers and heal it later without stopping the process. Peers are configured with the
 * proxy's address; the proxy forwards to the node's real address.
 *
 * <p>A cut either refuses or drops. Refusing closes every connection through the proxy and every
 * new one at once, as when the node's process is gone: callers see their connections end and
 * reconnect in vain. Dropping stops moving bytes but keeps the connections open, as a firewall
 * that discards packets (or a paused process): senders see nothing answered and wait out their
 * own timeouts, and what they sent meanwhile is delivered when the cut heals, as TCP
 * retransmission delivers it after a real partition.
 *
 * <p>Only the node's inbound side goes through its proxy: the node's own outgoing connections
 * come from the same loopback address as everyone's and cannot be told apart. With Ratis'
 * pre-vote (on by default) the cut-off node's vote requests are rejected by peers that still
 * hear from their leader, so its term stays put, as it would behind a real partition.
 */
final class TcpProxy implements AutoCloseable {
  /** What happens to connections while the node is cut off. */
  enum Cut {
    REFUSE,
    DROP
  }

  private final InetSocketAddress target;
  private final ServerSocket listener;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "tcp-proxy");
            t.setDaemon(true);
            return t;
          });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  /** Null while forwarding; guarded by this. */
  private Cut cut;

  /** Listens on {@code listen} and forwards to {@code target}. */
  TcpProxy(InetSocketAddress listen, InetSocketAddress target) {
    this.target = target;
    try {
      listener = new ServerSocket();
      listener.setReuseAddress(true);
      listener.bind(listen);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + listen, e);
    }
    threads.execute(this::acceptLoop);
  }

  /** Cuts the node off, as {@code how} says. */
  synchronized void cutOff(Cut how) {
    cut = how;
    if (how == Cut.REFUSE) {
      open.forEach(TcpProxy::closeQuietly);
      open.clear();
    }
  }

  /** Forwards again, starting with whatever was held back while dropping. */
  synchronized void heal() {
    cut = null;
    notifyAll();
  }

  /** Blocks while bytes are being dropped. */
  private synchronized void awaitForwarding() throws InterruptedException {
    while (cut == Cut.DROP) {
      wait();
    }
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      accepted(client);
    }
  }

  private synchronized void accepted(Socket client) {
    if (cut == Cut.REFUSE) {
      closeQuietly(client);
      return;
    }
    Socket server = new Socket();
    try {
      server.connect(target);
    } catch (IOException e) {
      // The node is down: the caller sees its connection closed, as without a proxy.
      closeQuietly(client);
      closeQuietly(server);
      return;
    }
    open.add(client);
    open.add(server);
    threads.execute(() -> pump(client, server));
    threads.execute(() -> pump(server, client));
  }

  /** Copies bytes one way until either side closes, then closes both. */
  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[64 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      while (true) {
        awaitForwarding();
        int n = in.read(buffer);
        if (n < 0) {
          break;
        }
        awaitForwarding();
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // A closed socket on either side ends the connection.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  @Override
  public void close() {
    closeQuietly(listener);
    cutOff(Cut.REFUSE);
    threads.shutdownNow();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // nothing more to do with a connection that is going away
    }
  }
}
