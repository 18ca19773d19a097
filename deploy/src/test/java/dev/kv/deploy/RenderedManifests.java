package dev.kv.deploy;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A kustomize directory as {@code kubectl kustomize} renders it, parsed into Kubernetes' object
 * model (fabric8). Tests read typed objects, so a misplaced or misspelt field shows up either as a
 * wrong value or in {@link #unknownFields()}.
 */
final class RenderedManifests {
  private static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of(
          "ConfigMap", ConfigMap.class,
          "Service", Service.class,
          "StatefulSet", StatefulSet.class,
          "PodDisruptionBudget", PodDisruptionBudget.class);

  static final String KUBECTL_MISSING =
      "kubectl is not on PATH, so the Kubernetes manifests cannot be rendered and checked;"
          + " on Debian, .ci/install-test-deps installs it (package kubernetes-client)";

  private final List<HasMetadata> resources;

  private RenderedManifests(List<HasMetadata> resources) {
    this.resources = List.copyOf(resources);
  }

  /**
   * Renders {@code dir} with kubectl from PATH, or empty without kubectl. When the environment
   * variable CI is set, a missing kubectl fails instead (CI must run these checks).
   */
  static Optional<RenderedManifests> render(Path dir) throws IOException, InterruptedException {
    Path kubectl = findOnPath("kubectl").orElse(null);
    if (kubectl == null) {
      String ci = System.getenv("CI");
      if (ci != null && !ci.isBlank()) {
        fail(KUBECTL_MISSING + " (failing, not skipping, because CI is set)");
      }
      return Optional.empty();
    }
    Path out = Files.createTempFile("kustomize", ".yaml");
    Path err = Files.createTempFile("kustomize", ".err");
    try {
      Process kustomize =
          new ProcessBuilder(kubectl.toString(), "kustomize", dir.toAbsolutePath().toString())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!kustomize.waitFor(120, TimeUnit.SECONDS)) {
        kustomize.destroyForcibly();
        fail("kubectl kustomize " + dir + " did not finish within 120 s");
      }
      if (kustomize.exitValue() != 0) {
        fail(
            "kubectl kustomize "
                + dir
                + " exited with "
                + kustomize.exitValue()
                + ":\n"
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return Optional.of(parse(Files.readString(out, StandardCharsets.UTF_8)));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  static RenderedManifests parse(String yaml) throws IOException {
    YAMLMapper mapper = new YAMLMapper();
    List<HasMetadata> resources = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = mapper.readerFor(JsonNode.class).readValues(yaml)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || doc.isNull() || doc.isEmpty()) {
          continue;
        }
        String kind = doc.path("kind").asText();
        Class<? extends HasMetadata> type = KINDS.get(kind);
        if (type == null) {
          fail(
              "the manifests contain a "
                  + kind
                  + " ("
                  + doc.path("metadata").path("name")
                  + "), which these tests do not know; add it to RenderedManifests.KINDS and check"
                  + " it");
        }
        resources.add(mapper.treeToValue(doc, type));
      }
    }
    return new RenderedManifests(resources);
  }

  List<HasMetadata> all() {
    return resources;
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return resources.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> T one(Class<T> type, String name) {
    List<T> found = all(type).stream().filter(r -> r.getMetadata().getName().equals(name)).toList();
    if (found.size() != 1) {
      fail("expected one " + type.getSimpleName() + " named " + name + ", found " + found.size());
    }
    return found.get(0);
  }

  <T extends HasMetadata> T only(Class<T> type) {
    List<T> found = all(type);
    if (found.size() != 1) {
      fail("expected one " + type.getSimpleName() + ", found " + found.size());
    }
    return found.get(0);
  }

  /**
   * Fields the model does not know, as {@code Kind/name: path.to.field}. fabric8 keeps unknown
   * fields in each object's additionalProperties instead of rejecting them, so a typo such as
   * {@code publishNotReadyAdresses} would otherwise pass unnoticed (and Kubernetes would drop it).
   */
  List<String> unknownFields() {
    List<String> unknown = new ArrayList<>();
    for (HasMetadata r : resources) {
      collectUnknown(r, r.getKind() + "/" + r.getMetadata().getName() + ":", unknown);
    }
    return unknown;
  }

  private static void collectUnknown(Object node, String path, List<String> unknown) {
    if (node instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        collectUnknown(item, path + "[" + i++ + "]", unknown);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> collectUnknown(v, path + "[" + k + "]", unknown));
      return;
    }
    if (node == null || !node.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(node);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          extra.keySet().forEach(k -> unknown.add(path + "." + k));
        }
        continue;
      }
      String field =
          Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
      collectUnknown(value, path + "." + field, unknown);
    }
  }

  private static Optional<Path> findOnPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
