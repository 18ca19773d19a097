package dev.kv.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What a reader of a result file needs to know about where the figures came from: the machine, the
 * JVM, the time, and (for a comparison) the etcd version. Free-form strings, for people.
 */
final class Environment {
  private Environment() {}

  static Map<String, String> describe(Map<String, String> extra) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("tool", "kv-bench");
    env.put("time", Instant.now().toString());
    env.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    new TreeMap<>(extra).forEach(env::put); // sorted: Map.of has no order
    return env;
  }

  /** The first line of {@code etcd --version}, e.g. "etcd Version: 3.4.23", or "unknown". */
  static String etcdVersion(Path etcd) {
    try {
      Process process =
          new ProcessBuilder(etcd.toString(), "--version").redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      process.waitFor(10, TimeUnit.SECONDS);
      return output.lines().findFirst().orElse("unknown").trim();
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
