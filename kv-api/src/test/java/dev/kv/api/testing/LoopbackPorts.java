package dev.kv.api.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for test servers, free when handed out, chosen below the kernel's ephemeral port range.
 *
 * <p>The usual trick, binding port 0 and closing the socket, hands out an ephemeral port, and a
 * test binds it only later: meanwhile any outgoing connection of the running nodes (Raft, gRPC
 * clients) may take it as its local port, and the server fails to bind ("Address already in
 * use"). Ports below the ephemeral range are never picked for outgoing connections. A port is
 * handed out once per JVM, so two clusters of one test run never share one.
 */
public final class LoopbackPorts {
  private static final int LOWEST = 10_000;
  private static final Set<Integer> handedOut = new HashSet<>();

  private LoopbackPorts() {}

  /** A port free on the loopback address. */
  public static int free() {
    return freeOnEvery(List.of(InetAddress.getLoopbackAddress()));
  }

  /** A port free on every one of {@code addresses} (the pods of a StatefulSet share ports). */
  public static synchronized int freeOnEvery(List<InetAddress> addresses) {
    int highest = firstEphemeralPort() - 1;
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = LOWEST + random.nextInt(highest - LOWEST);
      if (!handedOut.contains(port) && freeOnAll(port, addresses)) {
        handedOut.add(port);
        return port;
      }
    }
    throw new IllegalStateException(
        "no port in " + LOWEST + ".." + highest + " is free on " + addresses);
  }

  /** The low end of Linux' ephemeral port range, or its default where it cannot be read. */
  public static int firstEphemeralPort() {
    int linuxDefault = 32_768;
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int first = Integer.parseInt(range.split("\\s+")[0]);
      return first > LOWEST + 1_000 ? first : linuxDefault;
    } catch (IOException | RuntimeException unreadable) {
      return linuxDefault;
    }
  }

  private static boolean freeOnAll(int port, List<InetAddress> addresses) {
    for (InetAddress address : addresses) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(address, port));
      } catch (IOException inUse) {
        return false;
      }
    }
    return true;
  }
}
