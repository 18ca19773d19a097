package dev.kv.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the loopback ports a cluster needs before it starts, so that a clash is reported with the
 * option to change instead of surfacing as a member that died.
 */
final class LoopbackPorts {
  static final String HOST = "127.0.0.1";

  private LoopbackPorts() {}

  /** The ports among these that something on loopback already listens on. */
  static List<Integer> inUse(List<Integer> ports) {
    List<Integer> taken = new ArrayList<>();
    for (int port : ports) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(HOST, port), 200);
        taken.add(port);
      } catch (IOException free) {
        // Nothing listens there.
      }
    }
    return taken;
  }
}
