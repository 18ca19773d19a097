package dev.kv.deploy;

import dev.kv.server.bootstrap.StatefulSetIdentity;
import dev.kv.server.config.KvdCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The environment variables kvd reads, taken from where kvd itself defines them, so a manifest
 * cannot set a variable that nothing reads (a typo, or a setting that was renamed): the picocli
 * options of {@link KvdCommand} (each falls back to {@code ${env:NAME:-default}}), the variables
 * {@link StatefulSetIdentity} reads, the metrics endpoint's address, and those kv-server's
 * logback.xml substitutes.
 */
final class KvdEnvironment {
  private static final Pattern ENV_DEFAULT =
      Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)(:-[^}]*)?}");
  private static final Pattern LOGBACK_VARIABLE =
      Pattern.compile("\\$\\{(KV_[A-Z0-9_]+)(:-[^}]*)?}");

  private KvdEnvironment() {}

  /** Environment variable to the longest name of the {@link KvdCommand} flag it stands for. */
  static Map<String, String> flagsByVariable() {
    Map<String, String> flags = new LinkedHashMap<>();
    for (Field field : KvdCommand.class.getDeclaredFields()) {
      Option option = field.getAnnotation(Option.class);
      if (option == null) {
        continue;
      }
      Matcher m = ENV_DEFAULT.matcher(option.defaultValue());
      if (m.find()) {
        String flag =
            Arrays.stream(option.names())
                .max(Comparator.comparingInt(String::length))
                .orElseThrow();
        flags.put(m.group(1), flag);
      }
    }
    if (flags.isEmpty()) {
      throw new IllegalStateException(
          "no option of "
              + KvdCommand.class.getName()
              + " reads an environment variable: has"
              + " the way kvd reads its environment changed? Update "
              + KvdEnvironment.class);
    }
    return flags;
  }

  /** The KV_ variables kv-server's logback.xml substitutes (log level and format). */
  static Set<String> loggingVariables() {
    URL serverCode = KvdCommand.class.getProtectionDomain().getCodeSource().getLocation();
    // Only kv-server's own logback.xml: the one that ships in its jar.
    try (URLClassLoader serverOnly = new URLClassLoader(new URL[] {serverCode}, null);
        InputStream in = serverOnly.getResourceAsStream("logback.xml")) {
      if (in == null) {
        throw new IllegalStateException("kv-server at " + serverCode + " has no logback.xml");
      }
      Matcher m = LOGBACK_VARIABLE.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      Set<String> names = new TreeSet<>();
      while (m.find()) {
        names.add(m.group(1));
      }
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every environment variable kvd reads, as far as these tests can tell. */
  static Set<String> all() {
    Set<String> names = new TreeSet<>(flagsByVariable().keySet());
    names.addAll(StatefulSetIdentity.ENVIRONMENT);
    names.addAll(loggingVariables());
    return names;
  }
}
