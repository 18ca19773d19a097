package dev.kv.chaos.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the container image a chaos cluster runs, from local files only (no registry is
 * reachable, so nothing may be pulled): a root file system of a jlink'ed Java runtime, the shared
 * libraries {@code ldd} lists for it and for RocksDB's native library, libfaketime when the host
 * has it, and kvd's jar with its dependency jars, imported with {@code docker import}.
 *
 * <p>The image is tagged with a hash of everything that goes into it (the JDK, the module list,
 * the contents of the jars, this recipe's version), so an unchanged build reuses it. The jars of
 * this project are hashed by their entries' contents, not their bytes, so a repackaged but
 * unchanged jar does not force a rebuild.
 *
 * <p>It never touches images other than its own repository's.
 */
public final class NodeImage {
  private static final Logger LOG = LoggerFactory.getLogger(NodeImage.class);

  /** The image repository; tags are content hashes. */
  public static final String REPOSITORY = "kv-chaos-kvd";

  /** Bump when the recipe below changes what goes into the image. */
  private static final String RECIPE = "kvd-image-v1";

  /** What kvd needs of the JDK (jdeps lists java.naming, java.sql, jdk.management, ...). */
  private static final String MODULES =
      "java.base,java.logging,java.management,java.naming,java.sql,java.xml,jdk.management,"
          + "jdk.unsupported";

  /** RocksDB's native library links these besides glibc; ldd of the JDK does not list them. */
  private static final List<String> EXTRA_LIBRARIES =
      List.of("libstdc++.so.6", "libgcc_s.so.1", "libdl.so.2", "libpthread.so.0", "librt.so.1");

  /** Where Debian's libfaketime package puts the library (see .ci/install-docker). */
  private static final Path LIBFAKETIME =
      Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");

  /** Inside the image: the library to LD_PRELOAD for a shifted clock, when present. */
  public static final String FAKETIME_IN_IMAGE = "/faketime/libfaketime.so.1";

  private static final String JAVA_IN_IMAGE = "/jre/bin/java";
  private static final String CLASS_PATH_IN_IMAGE = "/app/kv-server.jar:/app/lib/*";

  private final String name;
  private final boolean hasFaketime;

  private NodeImage(String name, boolean hasFaketime) {
    this.name = name;
    this.hasFaketime = hasFaketime;
  }

  /** The image name with its tag, for example {@code kv-chaos-kvd:3f2a...}. */
  public String name() {
    return name;
  }

  /** Whether the image has libfaketime, so the clock nemesis can run. */
  public boolean hasFaketime() {
    return hasFaketime;
  }

  /** The command line that starts kvd in this image, before kvd's own flags. */
  public static List<String> javaCommand(List<String> jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(JAVA_IN_IMAGE);
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(CLASS_PATH_IN_IMAGE);
    command.add("dev.kv.server.Kvd");
    return command;
  }

  /**
   * Returns the node image for the current kv-server build, building it first when no image with
   * its content hash exists.
   *
   * @param repoDir the repository root (kv-server/target must hold the packaged jar and lib/)
   * @param workDir where the root file system is assembled (under target/)
   */
  public static NodeImage ensureBuilt(Path repoDir, Path workDir)
      throws IOException, InterruptedException {
    Path serverTarget = repoDir.resolve("kv-server/target");
    Path serverJar = serverTarget.resolve("kv-server.jar");
    Path libDir = serverTarget.resolve("lib");
    if (!Files.isRegularFile(serverJar) || !Files.isDirectory(libDir)) {
      throw new IllegalStateException(
          serverJar
              + " or "
              + libDir
              + " is missing: package kv-server first (./mvnw -pl chaos-tests -am verify does)");
    }
    List<Path> libJars;
    try (Stream<Path> files = Files.list(libDir)) {
      libJars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
    }
    boolean faketime = Files.isRegularFile(LIBFAKETIME);
    String hash = contentHash(serverJar, libJars, faketime);
    String image = REPOSITORY + ":" + hash;
    if (imageExists(image)) {
      LOG.info("node image {} is up to date", image);
      return new NodeImage(image, faketime);
    }
    long start = System.nanoTime();
    Path rootfs = workDir.resolve("rootfs-" + hash);
    deleteRecursively(rootfs);
    Files.createDirectories(rootfs);
    Path jre = rootfs.resolve("jre");
    run(List.of(
        javaHome().resolve("bin/jlink").toString(),
        "--add-modules", MODULES,
        "--strip-debug", "--no-header-files", "--no-man-pages",
        "--output", jre.toString()), null, 300);
    copyLibraries(jre, rootfs, faketime);
    Path app = Files.createDirectories(rootfs.resolve("app/lib"));
    Files.copy(serverJar, rootfs.resolve("app/kv-server.jar"));
    for (Path jar : libJars) {
      Files.copy(jar, app.resolve(jar.getFileName()));
    }
    Path tmp = Files.createDirectories(rootfs.resolve("tmp"));
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.createDirectories(rootfs.resolve("data"));
    Files.createDirectories(rootfs.resolve("etc"));
    Files.writeString(rootfs.resolve("etc/nsswitch.conf"), "hosts: files dns\n");
    Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/nonexistent\n");
    Files.createDirectories(rootfs.resolve("root"));
    importImage(rootfs, image);
    deleteRecursively(rootfs);
    LOG.info("built node image {} in {} s", image,
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
    removeOlderTags(image);
    return new NodeImage(image, faketime);
  }

  private static void copyLibraries(Path jre, Path rootfs, boolean faketime)
      throws IOException, InterruptedException {
    List<Path> binaries = new ArrayList<>();
    binaries.add(jre.resolve("bin/java"));
    try (Stream<Path> files = Files.walk(jre.resolve("lib"))) {
      files.filter(p -> p.toString().endsWith(".so")).forEach(binaries::add);
    }
    if (faketime) {
      binaries.add(LIBFAKETIME);
      Path target = rootfs.resolve(FAKETIME_IN_IMAGE.substring(1));
      Files.createDirectories(target.getParent());
      Files.copy(LIBFAKETIME, target);
    }
    TreeSet<String> libraries = new TreeSet<>();
    libraries.add("/lib64/ld-linux-x86-64.so.2");
    for (Path binary : binaries) {
      libraries.addAll(lddPaths(binary));
    }
    Path libcDir = Path.of(
        libraries.stream().filter(l -> l.endsWith("/libc.so.6")).findFirst()
            .orElseThrow(() -> new IllegalStateException("ldd found no libc.so.6"))).getParent();
    for (String extra : EXTRA_LIBRARIES) {
      Path candidate = libcDir.resolve(extra);
      if (Files.exists(candidate)) {
        libraries.add(candidate.toString());
      }
    }
    for (String library : libraries) {
      if (library.startsWith(jre.toString())) {
        continue; // already inside the runtime
      }
      Path source = Path.of(library);
      Path target = rootfs.resolve(library.substring(1));
      Files.createDirectories(target.getParent());
      // Follow symlinks: the image has no package manager to recreate them.
      Files.copy(source.toRealPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static List<String> lddPaths(Path binary) throws IOException, InterruptedException {
    String out = run(List.of("ldd", binary.toString()), null, 60);
    List<String> paths = new ArrayList<>();
    for (String line : out.split("\n")) {
      String trimmed = line.trim();
      int arrow = trimmed.indexOf("=> ");
      String candidate = arrow >= 0 ? trimmed.substring(arrow + 3) : trimmed;
      int space = candidate.indexOf(' ');
      if (space > 0) {
        candidate = candidate.substring(0, space);
      }
      if (candidate.startsWith("/")) {
        paths.add(candidate);
      }
    }
    return paths;
  }

  private static void importImage(Path rootfs, String image)
      throws IOException, InterruptedException {
    // The java command and kvd's flags are given per container; the image only fixes the
    // environment every node needs.
    ProcessBuilder tar =
        new ProcessBuilder("tar", "--numeric-owner", "-C", rootfs.toString(), "-c", ".");
    ProcessBuilder docker =
        new ProcessBuilder(
            "docker", "import",
            "--change", "WORKDIR /",
            "--change", "ENV PATH=/jre/bin",
            "--change", "LABEL dev.kv.chaos=node-image",
            "-", image);
    tar.redirectError(ProcessBuilder.Redirect.INHERIT);
    docker.redirectErrorStream(true);
    List<Process> pipeline = ProcessBuilder.startPipeline(List.of(tar, docker));
    Process last = pipeline.get(1);
    String output = new String(last.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    for (Process p : pipeline) {
      if (!p.waitFor(600, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("docker import of " + image + " did not finish in 600 s");
      }
      if (p.exitValue() != 0) {
        throw new IOException(
            "building " + image + " failed: " + p.info().command().orElse("?") + " exited "
                + p.exitValue() + ": " + output);
      }
    }
  }

  private static boolean imageExists(String image) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("docker", "image", "inspect", image)
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor() == 0;
  }

  /** Older builds of this repository only: keeps disk use flat over many builds. */
  private static void removeOlderTags(String keep) throws IOException, InterruptedException {
    String out = run(List.of("docker", "images", REPOSITORY, "--format",
        "{{.Repository}}:{{.Tag}}"), null, 60);
    for (String image : out.split("\n")) {
      if (image.startsWith(REPOSITORY + ":") && !image.equals(keep)) {
        Process p = new ProcessBuilder("docker", "rmi", image).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(); // an image still used by a container stays; that is fine
      }
    }
  }

  private static String contentHash(Path serverJar, List<Path> libJars, boolean faketime)
      throws IOException {
    MessageDigest digest = sha256();
    update(digest, RECIPE);
    update(digest, MODULES);
    update(digest, "faketime=" + faketime);
    Path release = javaHome().resolve("release");
    update(digest, Files.exists(release) ? Files.readString(release) : System.getProperty(
        "java.runtime.version"));
    hashJar(digest, serverJar, true);
    for (Path jar : libJars) {
      hashJar(digest, jar, jar.getFileName().toString().startsWith("kv-"));
    }
    return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
  }

  private static void hashJar(MessageDigest digest, Path jar, boolean byEntries)
      throws IOException {
    update(digest, jar.getFileName().toString());
    if (!byEntries) {
      try (InputStream in = new DigestInputStream(Files.newInputStream(jar), digest)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      return;
    }
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      List<ZipEntry> entries = zip.stream().filter(e -> !e.isDirectory())
          .sorted((a, b) -> a.getName().compareTo(b.getName())).collect(Collectors.toList());
      for (ZipEntry entry : entries) {
        if (entry.getName().equals("META-INF/MANIFEST.MF")
            || entry.getName().startsWith("META-INF/maven/")) {
          continue; // build metadata, not content
        }
        update(digest, entry.getName());
        try (InputStream in = new DigestInputStream(zip.getInputStream(entry), digest)) {
          in.transferTo(OutputStream.nullOutputStream());
        }
      }
    }
  }

  private static void update(MessageDigest digest, String text) {
    digest.update(text.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static Path javaHome() {
    return Path.of(System.getProperty("java.home"));
  }

  /** Runs a command, returns its output (stdout and stderr), fails on a non-zero exit. */
  static String run(List<String> command, Path dir, int timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Optional.ofNullable(dir).map(Path::toFile).ifPresent(builder::directory);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish in " + timeoutSeconds
          + " s");
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
    }
    return out;
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted((a, b) -> b.compareTo(a)).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
