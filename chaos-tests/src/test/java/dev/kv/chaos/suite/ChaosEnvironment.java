package dev.kv.chaos.suite;

import dev.kv.chaos.cluster.NodeImage;
import java.io.IOException;
import java.nio.file.Path;

/** What every chaos IT shares in one JVM: the repository, the work folder, the node image. */
final class ChaosEnvironment {
  private static NodeImage image;

  private ChaosEnvironment() {}

  static Path repoDir() {
    return Path.of(System.getProperty("kv.repo.dir", "..")).toAbsolutePath().normalize();
  }

  /** target/chaos of this module: run folders, reports, the image's root file system. */
  static Path workDir() {
    return Path.of(System.getProperty("chaos.work.dir", "target/chaos")).toAbsolutePath();
  }

  /** The node image, built on first use (and reused across runs while kv-server is unchanged). */
  static synchronized NodeImage image() throws IOException, InterruptedException {
    if (image == null) {
      long start = System.nanoTime();
      image = NodeImage.ensureBuilt(repoDir(), workDir().resolve("image"));
      System.out.printf("chaos: node image %s ready in %.1f s%n", image.name(),
          (System.nanoTime() - start) / 1e9);
    }
    return image;
  }
}
