package dev.kv.client.cli;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.kv.api.KeyHash;
import dev.kv.api.v1.BackupManifest;
import dev.kv.api.v1.BackupRecord;
import dev.kv.api.v1.GroupBackup;
import dev.kv.api.v1.HashRange;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * A backup folder as {@code kvctl snapshot} writes it and {@code kvctl restore} reads it (the
 * layout is documented in backup.proto): the manifest, and per group a file of length-delimited
 * records. Everything here reads and writes files as streams, one record at a time.
 */
final class BackupFolder {
  static final String MANIFEST = "manifest.json";
  static final int FORMAT_VERSION = 1;
  static final String RECORDS_SUFFIX = ".records";

  /**
   * The largest record a backup file may hold: far above any key and value limit a node accepts,
   * low enough that a corrupt length cannot make a reader allocate without bound.
   */
  static final int MAX_RECORD_BYTES = 64 << 20;

  private BackupFolder() {}

  /** A backup that cannot be used, with the rule it breaks; nothing was written anywhere. */
  static final class BackupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BackupException(String message) {
      super(message);
    }
  }

  static Path recordsFile(Path dir, String groupId) {
    return dir.resolve(groupId + RECORDS_SUFFIX);
  }

  /** Writes the manifest last and atomically: a folder without one is an incomplete backup. */
  static void writeManifest(Path dir, BackupManifest manifest) throws IOException {
    Path tmp = dir.resolve(MANIFEST + ".partial");
    Files.writeString(tmp, JsonFormat.printer().print(manifest) + "\n", StandardCharsets.UTF_8);
    try {
      Files.move(tmp, dir.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, dir.resolve(MANIFEST), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Reads and checks the manifest; throws {@link BackupException} naming what is wrong. */
  static BackupManifest readManifest(Path dir) {
    Path file = dir.resolve(MANIFEST);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new BackupException(file + " is missing: " + dir + " is not a kvctl backup, or the"
          + " snapshot that wrote it did not finish (the manifest is written last)");
    } catch (IOException e) {
      throw new BackupException("cannot read " + file + ": " + e);
    }
    BackupManifest.Builder manifest = BackupManifest.newBuilder();
    try {
      JsonFormat.parser().merge(text, manifest);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new BackupException(file + " is corrupt (not a backup manifest): " + e.getMessage());
    }
    if (manifest.getFormatVersion() != FORMAT_VERSION) {
      throw new BackupException(file + " has format_version " + manifest.getFormatVersion()
          + "; this kvctl reads format_version " + FORMAT_VERSION);
    }
    if (manifest.getGroupsCount() == 0) {
      throw new BackupException(file + " lists no groups");
    }
    List<HashRange> ranges = new ArrayList<>();
    for (GroupBackup g : manifest.getGroupsList()) {
      if (g.getFile().isEmpty() || !g.getFile().equals(Path.of(g.getFile()).getFileName().toString())) {
        throw new BackupException(file + " names the file '" + g.getFile() + "' for group "
            + g.getGroupId() + "; group files are plain names inside the backup folder");
      }
      ranges.addAll(g.getRangesList());
    }
    String coverage = coverageProblem(ranges);
    if (coverage != null) {
      throw new BackupException(file + " is inconsistent: the groups' ranges " + coverage);
    }
    return manifest.build();
  }

  /**
   * Why {@code ranges} do not cover the hash ring exactly once, or null when they do. Every
   * backup must, or a restore would silently miss (or double) part of the keys.
   */
  static String coverageProblem(List<HashRange> ranges) {
    List<HashRange> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparing(HashRange::getStart, Long::compareUnsigned));
    long next = 0;
    boolean reachedEnd = false;
    for (HashRange r : sorted) {
      if (reachedEnd || r.getStart() != next) {
        return "leave a gap or overlap at hash " + Long.toUnsignedString(reachedEnd ? 0 : next, 16);
      }
      if (r.getEnd() != 0 && Long.compareUnsigned(r.getEnd(), r.getStart()) <= 0) {
        return "include an empty or reversed range starting at "
            + Long.toUnsignedString(r.getStart(), 16);
      }
      reachedEnd = r.getEnd() == 0;
      next = r.getEnd();
    }
    return reachedEnd ? null : "do not reach the end of the ring (they stop at hash "
        + Long.toUnsignedString(next, 16) + ")";
  }

  static boolean contains(HashRange r, long hash) {
    return Long.compareUnsigned(hash, r.getStart()) >= 0
        && (r.getEnd() == 0 || Long.compareUnsigned(hash, r.getEnd()) < 0);
  }

  /**
   * Reads a group's file record by record: checks that every record parses, has a key and a
   * version, and hashes into the group's ranges; that the count, size and SHA-256 match the
   * manifest. {@code each} sees every record (null: only check). Throws {@link BackupException}.
   */
  static void readRecords(Path dir, GroupBackup group, Consumer<BackupRecord> each) {
    Path file = dir.resolve(group.getFile());
    MessageDigest sha256 = sha256();
    long records = 0;
    try (InputStream in =
        new DigestInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16), sha256)) {
      CodedInputStream coded = CodedInputStream.newInstance(in);
      coded.setSizeLimit(Integer.MAX_VALUE);
      while (!coded.isAtEnd()) {
        int length = coded.readRawVarint32();
        if (length < 0 || length > MAX_RECORD_BYTES) {
          throw new BackupException(file + " is corrupt: record " + records + " claims "
              + Integer.toUnsignedString(length) + " bytes; the limit is " + MAX_RECORD_BYTES);
        }
        int limit = coded.pushLimit(length);
        BackupRecord record = BackupRecord.parseFrom(coded);
        if (coded.getBytesUntilLimit() != 0) {
          throw new BackupException(file + " is corrupt: record " + records + " is truncated");
        }
        coded.popLimit(limit);
        // Each record starts a fresh size count: a long file is not one huge message.
        coded.resetSizeCounter();
        String problem = recordProblem(group, record);
        if (problem != null) {
          throw new BackupException(file + " is corrupt: record " + records + " " + problem);
        }
        records++;
        if (each != null) {
          each.accept(record);
        }
      }
    } catch (NoSuchFileException e) {
      throw new BackupException(file + " is missing; the manifest lists it for group "
          + group.getGroupId());
    } catch (InvalidProtocolBufferException e) {
      throw new BackupException(file + " is corrupt: record " + records + " does not parse ("
          + e.getMessage() + ")");
    } catch (IOException e) {
      throw new BackupException("cannot read " + file + ": " + e);
    }
    String actual = HexFormat.of().formatHex(sha256.digest());
    if (!actual.equals(group.getSha256())) {
      throw new BackupException(file + " does not match its checksum: its SHA-256 is " + actual
          + ", the manifest says " + group.getSha256());
    }
    if (records != group.getRecords()) {
      throw new BackupException(file + " holds " + records + " records; the manifest says "
          + group.getRecords());
    }
  }

  private static String recordProblem(GroupBackup group, BackupRecord record) {
    if (record.getKey().isEmpty()) {
      return "has an empty key";
    }
    if (record.getVersion() == 0) {
      return "has version 0 (versions start at 1)";
    }
    long hash = KeyHash.of(record.getKey().toByteArray());
    for (HashRange r : group.getRangesList()) {
      if (contains(r, hash)) {
        return null;
      }
    }
    return "has a key whose hash " + Long.toUnsignedString(hash, 16) + " lies outside the ranges of"
        + " group " + group.getGroupId();
  }

  /**
   * Checks the whole backup before anything is written: each group's file size first (cheap),
   * then every record and checksum. {@code progress} hears of each group checked.
   */
  static void verify(Path dir, BackupManifest manifest, Consumer<GroupBackup> progress) {
    for (GroupBackup g : manifest.getGroupsList()) {
      Path file = dir.resolve(g.getFile());
      try {
        long size = Files.size(file);
        if (size != g.getBytes()) {
          throw new BackupException(file + " is " + size + " bytes; the manifest says "
              + g.getBytes() + " (truncated or replaced)");
        }
      } catch (NoSuchFileException e) {
        throw new BackupException(file + " is missing; the manifest lists it for group "
            + g.getGroupId());
      } catch (IOException e) {
        throw new BackupException("cannot read " + file + ": " + e);
      }
    }
    for (GroupBackup g : manifest.getGroupsList()) {
      readRecords(dir, g, null);
      progress.accept(g);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
