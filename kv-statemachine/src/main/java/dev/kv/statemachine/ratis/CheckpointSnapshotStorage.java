package dev.kv.statemachine.ratis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.util.FileUtils;

/**
 * Snapshots of a group replica as RocksDB checkpoints: each snapshot is a directory
 * {@code snapshot.<term>_<index>} inside Ratis' state machine directory, holding a complete
 * checkpoint taken at exactly that applied index.
 *
 * <p>Ratis sends the files listed here to a follower that fell behind the purged log; the
 * follower receives them into a temporary directory (with an {@code .md5} file beside each),
 * swaps its whole state machine directory for it, and reinitializes the state machine, which
 * then opens the newest snapshot found here. The live database therefore lives outside this
 * directory.
 */
final class CheckpointSnapshotStorage implements StateMachineStorage {
  private static final Pattern SNAPSHOT_DIR = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
  private static final String MD5_SUFFIX = ".md5";
  /**
   * A snapshot younger than this is kept even when newer ones exist: the leader may be streaming
   * it to a follower, and deleting it mid-transfer stalls the install until Ratis times it out.
   * Kept snapshots cost little: their SST files are hard links shared with the live database.
   */
  private static final Duration KEEP_WHILE_YOUNGER_THAN = Duration.ofMinutes(2);

  private Path snapshotRoot;
  private Path tmpRoot;
  /**
   * The newest snapshot as last read from disk, or null when it must be read again. Ratis asks
   * for it on every log-append cycle of every follower, so it is not listed from disk each time.
   * Whoever changes the directory calls {@link #refresh()}.
   */
  private volatile Latest latest;

  private record Latest(Optional<Snapshot> snapshot, SnapshotInfo info) {}

  @Override
  public void init(RaftStorage raftStorage) throws IOException {
    snapshotRoot = raftStorage.getStorageDir().getStateMachineDir().toPath();
    tmpRoot = raftStorage.getStorageDir().getTmpDir().toPath();
    Files.createDirectories(snapshotRoot);
    Files.createDirectories(tmpRoot);
    refresh();
  }

  /** Forgets the cached newest snapshot; call after the directory changed. */
  void refresh() {
    latest = null;
  }

  private Latest readLatest() {
    Latest current = latest;
    if (current == null) {
      Optional<Snapshot> newest = snapshots().stream().max(Comparator.comparing(Snapshot::termIndex));
      current = new Latest(newest, newest.map(CheckpointSnapshotStorage::describe).orElse(null));
      latest = current;
    }
    return current;
  }

  @Override
  public void format() {}

  /** Where Ratis installs received snapshots; also the base of the paths it sends. */
  @Override
  public java.io.File getSnapshotDir() {
    return snapshotRoot.toFile();
  }

  @Override
  public java.io.File getTmpDir() {
    return tmpRoot.toFile();
  }

  /** A fresh, not yet existing directory to write a checkpoint into before publishing it. */
  Path newTemporaryDir() throws IOException {
    Path dir = Files.createTempDirectory(tmpRoot, "checkpoint-");
    Files.delete(dir);
    return dir;
  }

  /** Moves a complete checkpoint into place as the snapshot at {@code termIndex}. */
  Path publish(Path checkpoint, TermIndex termIndex) throws IOException {
    Path target =
        snapshotRoot.resolve("snapshot." + termIndex.getTerm() + "_" + termIndex.getIndex());
    if (Files.exists(target)) {
      FileUtils.deleteFully(target);
    }
    try {
      return Files.move(checkpoint, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } finally {
      refresh();
    }
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    return readLatest().info();
  }

  /** The newest complete snapshot directory and its term and index. */
  Optional<Snapshot> latest() {
    return readLatest().snapshot();
  }

  private List<Snapshot> snapshots() {
    if (snapshotRoot == null || !Files.isDirectory(snapshotRoot)) {
      return List.of();
    }
    List<Snapshot> found = new ArrayList<>();
    try (Stream<Path> children = Files.list(snapshotRoot)) {
      children.forEach(
          p -> {
            Matcher m = SNAPSHOT_DIR.matcher(p.getFileName().toString());
            if (m.matches() && Files.isDirectory(p)) {
              found.add(
                  new Snapshot(
                      p, TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))));
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list snapshots in " + snapshotRoot, e);
    }
    return found;
  }

  private static SnapshotInfo describe(Snapshot snapshot) {
    List<FileInfo> files = new ArrayList<>();
    for (Path file : snapshot.files()) {
      // No digest: the sending leader computes it while it reads the file.
      files.add(new FileInfo(file.toAbsolutePath(), null));
    }
    return new FileListSnapshotInfo(files, snapshot.termIndex());
  }

  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
    int keep = Math.max(1, policy.getNumSnapshotsRetained());
    List<Snapshot> all = snapshots();
    all.sort(Comparator.comparing(Snapshot::termIndex).reversed());
    Instant youngCutoff = Instant.now().minus(KEEP_WHILE_YOUNGER_THAN);
    for (Snapshot old : all.subList(Math.min(keep, all.size()), all.size())) {
      if (Files.getLastModifiedTime(old.dir()).toInstant().isBefore(youngCutoff)) {
        FileUtils.deleteFully(old.dir());
      }
    }
    refresh();
  }

  /** One snapshot directory. */
  record Snapshot(Path dir, TermIndex termIndex) {
    /** The checkpoint's files, without the checksum files a snapshot install leaves beside them. */
    List<Path> files() {
      try (Stream<Path> all = Files.walk(dir)) {
        return all.filter(Files::isRegularFile)
            .filter(p -> !p.getFileName().toString().endsWith(MD5_SUFFIX))
            .sorted()
            .toList();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list snapshot " + dir, e);
      }
    }
  }
}
