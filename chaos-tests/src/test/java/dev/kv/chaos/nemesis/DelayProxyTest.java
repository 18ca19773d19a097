package dev.kv.chaos.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class DelayProxyTest {

  @Test
  void relaysBytesInOrderBothWaysAfterTheDelay() throws Exception {
    try (ServerSocket echo = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      Thread server = new Thread(() -> {
        try (Socket s = echo.accept()) {
          s.getInputStream().transferTo(s.getOutputStream());
        } catch (Exception e) {
          // the test ended
        }
      });
      server.setDaemon(true);
      server.start();
      try (DelayProxy proxy = new DelayProxy("127.0.0.1",
              new InetSocketAddress("127.0.0.1", echo.getLocalPort()), 150);
          Socket client = new Socket("127.0.0.1", proxy.port())) {
        OutputStream out = client.getOutputStream();
        InputStream in = client.getInputStream();
        long start = System.nanoTime();
        out.write("hello ".getBytes());
        out.write("world".getBytes());
        out.flush();
        byte[] got = in.readNBytes(11);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(new String(got)).isEqualTo("hello world");
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(300); // 150 ms there and 150 back
      }
    }
  }
}
