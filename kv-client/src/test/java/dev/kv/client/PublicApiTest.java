package dev.kv.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the SDK's public surface free of implementation and wire types, so that both can change
 * without breaking applications: no signature in {@code dev.kv.client} may mention {@code
 * dev.kv.client.internal} or the generated protocol classes in {@code dev.kv.api.v1}.
 */
class PublicApiTest {
  private static final List<String> FORBIDDEN =
      List.of("dev.kv.client.internal.", "dev.kv.api.v1.");

  @Test
  void publicSignaturesUseNoInternalOrProtocolTypes() throws Exception {
    List<Class<?>> api = publicClassesOfThisPackage();
    assertThat(api).contains(KvClient.class, KvClient.Builder.class, Condition.ValueEquals.class);

    List<String> leaks = new ArrayList<>();
    for (Class<?> type : api) {
      Stream.concat(Stream.of(type.getGenericSuperclass()), Stream.of(type.getGenericInterfaces()))
          .filter(Objects::nonNull)
          .forEach(t -> check(type.getName() + " extends", t, leaks));
      for (Method method : type.getDeclaredMethods()) {
        if (visible(method.getModifiers())) {
          check(type.getName() + "." + method.getName(), method.getGenericReturnType(), leaks);
          checkParameters(type, method, leaks);
        }
      }
      for (Constructor<?> constructor : type.getDeclaredConstructors()) {
        if (visible(constructor.getModifiers())) {
          checkParameters(type, constructor, leaks);
        }
      }
      for (Field field : type.getDeclaredFields()) {
        if (visible(field.getModifiers())) {
          check(type.getName() + "." + field.getName(), field.getGenericType(), leaks);
        }
      }
    }
    assertThat(leaks).isEmpty();
  }

  private static void checkParameters(Class<?> type, Executable executable, List<String> leaks) {
    for (Type parameter : executable.getGenericParameterTypes()) {
      check(type.getName() + "." + executable.getName() + "(...)", parameter, leaks);
    }
  }

  private static void check(String where, Type type, List<String> leaks) {
    String name = type.getTypeName();
    if (FORBIDDEN.stream().anyMatch(name::contains)) {
      leaks.add(where + ": " + name);
    }
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static List<Class<?>> publicClassesOfThisPackage()
      throws URISyntaxException, ClassNotFoundException {
    URL directory =
        PublicApiTest.class.getClassLoader().getResource("dev/kv/client/KvClient.class");
    File[] files = new File(directory.toURI()).getParentFile().listFiles();
    List<Class<?>> classes = new ArrayList<>();
    for (File file : Arrays.stream(files).sorted().toList()) {
      String name = file.getName();
      if (name.endsWith(".class") && !name.equals("package-info.class")) {
        Class<?> type = Class.forName("dev.kv.client." + name.substring(0, name.length() - 6));
        if (Modifier.isPublic(type.getModifiers())) {
          classes.add(type);
        }
      }
    }
    return classes;
  }
}
