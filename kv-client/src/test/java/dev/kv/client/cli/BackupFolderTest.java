package dev.kv.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.kv.api.KeyHash;
import dev.kv.api.v1.BackupManifest;
import dev.kv.api.v1.BackupRecord;
import dev.kv.api.v1.GroupBackup;
import dev.kv.api.v1.HashRange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and verifying backup folders, and every way one can be unusable. */
class BackupFolderTest {
  private static final long HALF = 0x8000_0000_0000_0000L;
  private static final HashRange LOWER = HashRange.newBuilder().setStart(0).setEnd(HALF).build();
  private static final HashRange UPPER = HashRange.newBuilder().setStart(HALF).setEnd(0).build();

  @TempDir Path dir;
  private BackupManifest manifest;

  private static BackupRecord record(String key, String value, long version) {
    return BackupRecord.newBuilder()
        .setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value))
        .setVersion(version)
        .build();
  }

  private static boolean lower(String key) {
    return Long.compareUnsigned(KeyHash.of(key.getBytes(StandardCharsets.UTF_8)), HALF) < 0;
  }

  /** Writes a group's file as snapshot does and returns its manifest entry. */
  private GroupBackup writeGroup(String group, HashRange range, List<BackupRecord> records)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (BackupRecord r : records) {
      r.writeDelimitedTo(bytes);
    }
    Path file = BackupFolder.recordsFile(dir, group);
    Files.write(file, bytes.toByteArray());
    return GroupBackup.newBuilder()
        .setGroupId(group)
        .setFile(file.getFileName().toString())
        .addRanges(range)
        .setRecords(records.size())
        .setBytes(bytes.size())
        .setSha256(HexFormat.of().formatHex(BackupFolder.sha256().digest(bytes.toByteArray())))
        .build();
  }

  @BeforeEach
  void aBackupOfTwoGroups() throws IOException {
    List<BackupRecord> low = new ArrayList<>();
    List<BackupRecord> high = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String key = "key-" + i;
      (lower(key) ? low : high).add(record(key, "value-" + i, i + 1));
    }
    manifest = BackupManifest.newBuilder()
        .setFormatVersion(1)
        .setPlacementEpoch(9)
        .setCreatedAt("2026-11-22T00:00:00Z")
        .addGroups(writeGroup("data-0", LOWER, low))
        .addGroups(writeGroup("data-1", UPPER, high))
        .build();
    BackupFolder.writeManifest(dir, manifest);
  }

  private void rewriteManifest(BackupManifest changed) throws IOException {
    BackupFolder.writeManifest(dir, changed);
  }

  private void verify() {
    BackupFolder.verify(dir, BackupFolder.readManifest(dir), g -> { });
  }

  @Test
  void aCompleteBackupVerifiesAndReadsBackEveryRecord() {
    BackupManifest read = BackupFolder.readManifest(dir);
    assertThat(read).isEqualTo(manifest);
    List<GroupBackup> done = new ArrayList<>();
    BackupFolder.verify(dir, read, done::add);
    assertThat(done).hasSize(2);

    List<BackupRecord> all = new ArrayList<>();
    read.getGroupsList().forEach(g -> BackupFolder.readRecords(dir, g, all::add));
    assertThat(all).hasSize(50).contains(record("key-7", "value-7", 8));
    assertThat(Files.exists(dir.resolve("manifest.json.partial"))).isFalse();
  }

  @Test
  void aMissingManifestMeansNoBackupOrAnUnfinishedOne() throws IOException {
    Files.delete(dir.resolve(BackupFolder.MANIFEST));
    assertThatThrownBy(this::verify)
        .hasMessage(dir.resolve("manifest.json") + " is missing: " + dir + " is not a kvctl"
            + " backup, or the snapshot that wrote it did not finish (the manifest is written"
            + " last)");
  }

  @Test
  void aManifestThatIsNotJsonOrNotAManifestIsCorrupt() throws IOException {
    Files.writeString(dir.resolve(BackupFolder.MANIFEST), "{\"formatVersion\": 1, \"groups\": [");
    assertThatThrownBy(this::verify).hasMessageContaining("manifest.json is corrupt");
    Files.writeString(dir.resolve(BackupFolder.MANIFEST), "{\"somethingElse\": true}");
    assertThatThrownBy(this::verify).hasMessageContaining("manifest.json is corrupt");
  }

  @Test
  void aNewerFormatIsRefused() throws IOException {
    rewriteManifest(manifest.toBuilder().setFormatVersion(2).build());
    assertThatThrownBy(this::verify)
        .hasMessageEndingWith("has format_version 2; this kvctl reads format_version 1");
  }

  @Test
  void rangesThatDoNotCoverTheRingExactlyOnceAreRefused() throws IOException {
    rewriteManifest(manifest.toBuilder().removeGroups(1).build());
    assertThatThrownBy(this::verify)
        .hasMessageContaining("do not reach the end of the ring (they stop at hash 8000000000000000)");
    GroupBackup overlapping = manifest.getGroups(1).toBuilder()
        .setRanges(0, HashRange.newBuilder().setStart(HALF - 1).setEnd(0)).build();
    rewriteManifest(manifest.toBuilder().setGroups(1, overlapping).build());
    assertThatThrownBy(this::verify)
        .hasMessageContaining("leave a gap or overlap at hash 8000000000000000");
    assertThat(BackupFolder.coverageProblem(List.of(LOWER, UPPER))).isNull();
  }

  @Test
  void aChangedByteIsACheckSumMismatchNamingTheFile() throws IOException {
    Path file = dir.resolve("data-1.records");
    byte[] bytes = Files.readAllBytes(file);
    int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("value-");
    bytes[at] = 'V';
    Files.write(file, bytes);

    assertThatThrownBy(this::verify)
        .hasMessageStartingWith(file + " does not match its checksum: its SHA-256 is ")
        .hasMessageContaining("the manifest says " + manifest.getGroups(1).getSha256());
  }

  @Test
  void aTruncatedOrMissingFileIsRefusedBeforeAnyRecordIsRead() throws IOException {
    Path file = dir.resolve("data-0.records");
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));
    assertThatThrownBy(this::verify).hasMessage(
        file + " is " + (bytes.length - 3) + " bytes; the manifest says " + bytes.length
            + " (truncated or replaced)");
    Files.delete(file);
    assertThatThrownBy(this::verify)
        .hasMessage(file + " is missing; the manifest lists it for group data-0");
  }

  @Test
  void aRecordThatDoesNotParseIsNamedByItsPosition() throws IOException {
    Path file = dir.resolve("data-0.records");
    byte[] bytes = Files.readAllBytes(file);
    GroupBackup g = manifest.getGroups(0);
    // Still the same size, so the cheap check passes; the record parse fails.
    byte[] broken = bytes.clone();
    broken[broken.length - 2] = (byte) 0xff;
    broken[broken.length - 1] = (byte) 0xff;
    Files.write(file, broken);
    assertThatThrownBy(() -> BackupFolder.readRecords(dir, g, null))
        .hasMessageContaining(file + " is corrupt: record " + (g.getRecords() - 1));
  }

  @Test
  void aRecordClaimingMoreThanTheLimitIsRefusedWithoutReadingIt() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream coded = CodedOutputStream.newInstance(bytes);
    coded.writeUInt32NoTag(BackupFolder.MAX_RECORD_BYTES + 1);
    coded.flush();
    Path file = dir.resolve("data-0.records");
    Files.write(file, bytes.toByteArray());

    assertThatThrownBy(() -> BackupFolder.readRecords(dir, manifest.getGroups(0), null))
        .hasMessage(file + " is corrupt: record 0 claims " + (BackupFolder.MAX_RECORD_BYTES + 1)
            + " bytes; the limit is " + BackupFolder.MAX_RECORD_BYTES);
  }

  @Test
  void aRecordCountOtherThanTheManifestsIsRefused() throws IOException {
    GroupBackup g = manifest.getGroups(0);
    rewriteManifest(manifest.toBuilder().setGroups(0, g.toBuilder().setRecords(g.getRecords() + 1))
        .build());
    assertThatThrownBy(this::verify).hasMessage(dir.resolve("data-0.records") + " holds "
        + g.getRecords() + " records; the manifest says " + (g.getRecords() + 1));
  }

  @Test
  void aRecordOutsideItsGroupsRangesOrWithoutAVersionIsRefused() throws IOException {
    String upperKey = "key-0";
    while (lower(upperKey)) {
      upperKey += "x";
    }
    GroupBackup wrong = writeGroup("data-0", LOWER, List.of(record(upperKey, "v", 1)));
    assertThatThrownBy(() -> BackupFolder.readRecords(dir, wrong, null))
        .hasMessageContaining("is corrupt: record 0 has a key whose hash")
        .hasMessageContaining("lies outside the ranges of group data-0");
    GroupBackup unversioned = writeGroup("data-1", UPPER, List.of(record(upperKey, "v", 0)));
    assertThatThrownBy(() -> BackupFolder.readRecords(dir, unversioned, null))
        .hasMessageContaining("record 0 has version 0 (versions start at 1)");
  }

  @Test
  void aGroupFileOutsideTheFolderIsRefused() throws IOException {
    rewriteManifest(manifest.toBuilder()
        .setGroups(0, manifest.getGroups(0).toBuilder().setFile("../elsewhere.records")).build());
    assertThatThrownBy(this::verify).hasMessageContaining(
        "names the file '../elsewhere.records' for group data-0; group files are plain names"
            + " inside the backup folder");
  }
}
