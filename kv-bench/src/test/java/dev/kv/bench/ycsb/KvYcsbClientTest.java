package dev.kv.bench.ycsb;

import static dev.kv.bench.ycsb.RecordCodecTest.strings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.client.KvFailedPreconditionException;
import dev.kv.client.KvInvalidArgumentException;
import dev.kv.client.KvOutcomeUnknownException;
import dev.kv.client.KvStatusException;
import dev.kv.client.KvUnavailableException;
import io.grpc.Status.Code;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import org.junit.jupiter.api.Test;
import site.ycsb.ByteIterator;
import site.ycsb.Status;

/** The binding's mapping of YCSB operations onto kv's, over an in-memory {@link InMemoryKv}. */
class KvYcsbClientTest {
  private final InMemoryKv kv = new InMemoryKv();
  private final KvYcsbClient db = new KvYcsbClient(kv, new Properties());

  private static HashMap<String, ByteIterator> record(String... namesAndValues) {
    Map<String, String> fields = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      fields.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return RecordCodecTest.utf8(fields);
  }

  private Map<String, String> read(String key, Set<String> fields) {
    HashMap<String, ByteIterator> result = new HashMap<>();
    assertThat(db.read("usertable", key, fields, result)).isEqualTo(Status.OK);
    return strings(result);
  }

  @Test
  void keyIsTableColonKeyInUtf8() {
    assertThat(db.insert("usertable", "user1", record("f", "v"))).isEqualTo(Status.OK);
    assertThat(kv.data)
        .containsOnlyKeys(ByteBuffer.wrap("usertable:user1".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void insertThenReadAllOrSomeFields() {
    db.insert("usertable", "user1", record("a", "1", "b", "2"));
    assertThat(read("user1", null)).isEqualTo(Map.of("a", "1", "b", "2"));
    assertThat(read("user1", Set.of("b"))).isEqualTo(Map.of("b", "2"));
  }

  @Test
  void readOfAbsentKeyIsNotFound() {
    assertThat(db.read("usertable", "nope", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
  }

  @Test
  void updateMergesFieldsIntoTheRecord() {
    db.insert("usertable", "user1", record("a", "1", "b", "2"));
    assertThat(db.update("usertable", "user1", record("b", "two", "c", "3")))
        .isEqualTo(Status.OK);
    assertThat(read("user1", null)).isEqualTo(Map.of("a", "1", "b", "two", "c", "3"));
  }

  @Test
  void updateOfAbsentKeyIsNotFoundAndWritesNothing() {
    assertThat(db.update("usertable", "nope", record("a", "1"))).isEqualTo(Status.NOT_FOUND);
    assertThat(kv.data).isEmpty();
  }

  @Test
  void updateRetriesWhenAnotherWriterGetsInBetween() {
    db.insert("usertable", "user1", record("a", "1", "b", "2"));
    KvYcsbClient other = new KvYcsbClient(kv, new Properties());
    kv.beforeCas =
        () -> {
          if (kv.casCalls == 1) {
            other.insert("usertable", "user1", record("a", "concurrent", "b", "2"));
          }
        };
    assertThat(db.update("usertable", "user1", record("b", "mine"))).isEqualTo(Status.OK);
    assertThat(kv.casCalls).isEqualTo(2);
    // The retry merged into the concurrent writer's record, not the stale one.
    assertThat(read("user1", null)).isEqualTo(Map.of("a", "concurrent", "b", "mine"));
  }

  @Test
  void updateGivesUpAfterTheConfiguredAttempts() {
    Properties props = new Properties();
    props.setProperty(KvYcsbClient.UPDATE_ATTEMPTS_PROPERTY, "3");
    KvYcsbClient limited = new KvYcsbClient(kv, props);
    limited.insert("usertable", "user1", record("a", "1"));
    kv.beforeCas = () -> kv.put("usertable:user1".getBytes(StandardCharsets.UTF_8), new byte[4]);
    assertThat(limited.update("usertable", "user1", record("a", "2")).getName())
        .isEqualTo("UPDATE_CONFLICT");
    assertThat(kv.casCalls).isEqualTo(3);
  }

  @Test
  void updateOfKeyDeletedBeforeTheCasIsNotFound() {
    db.insert("usertable", "user1", record("a", "1"));
    kv.beforeCas = () -> kv.delete("usertable:user1".getBytes(StandardCharsets.UTF_8));
    assertThat(db.update("usertable", "user1", record("a", "2"))).isEqualTo(Status.NOT_FOUND);
  }

  @Test
  void deleteReportsAbsentKeysAsNotFound() {
    db.insert("usertable", "user1", record("a", "1"));
    assertThat(db.delete("usertable", "user1")).isEqualTo(Status.OK);
    assertThat(db.delete("usertable", "user1")).isEqualTo(Status.NOT_FOUND);
  }

  @Test
  void scanReturnsUpToRecordcountRecordsOfTheTableOnly() {
    for (int i = 0; i < 5; i++) {
      db.insert("usertable", "user" + i, record("a", "v" + i, "b", "x"));
    }
    db.insert("othertable", "user9", record("a", "other"));
    Vector<HashMap<String, ByteIterator>> result = new Vector<>();
    assertThat(db.scan("usertable", "user3", 3, Set.of("a"), result)).isEqualTo(Status.OK);
    assertThat(result).hasSize(3).allSatisfy(r -> assertThat(r).containsOnlyKeys("a"));

    Vector<HashMap<String, ByteIterator>> all = new Vector<>();
    assertThat(db.scan("usertable", "user0", 100, null, all)).isEqualTo(Status.OK);
    assertThat(all).hasSize(5);
  }

  @Test
  void exceptionsMapToStatuses() {
    Status unknown =
        KvYcsbClient.statusOf(
            new KvOutcomeUnknownException(Code.DEADLINE_EXCEEDED, "deadline", null));
    assertThat(unknown.getName()).isEqualTo("ERROR");
    assertThat(unknown.getDescription()).contains("outcome unknown").contains("DEADLINE_EXCEEDED");
    assertThat(KvYcsbClient.statusOf(new KvUnavailableException(Code.UNAVAILABLE, "down", null)))
        .isEqualTo(Status.SERVICE_UNAVAILABLE);
    assertThat(KvYcsbClient.statusOf(new KvInvalidArgumentException("key too long")))
        .isEqualTo(Status.BAD_REQUEST);
    assertThat(KvYcsbClient.statusOf(new KvFailedPreconditionException("old", null)))
        .isEqualTo(Status.UNEXPECTED_STATE);
    assertThat(
            KvYcsbClient.statusOf(new KvStatusException(Code.INTERNAL, "boom", null)).getName())
        .isEqualTo("ERROR");
  }

  @Test
  void failedOperationsReturnAStatusInsteadOfThrowing() {
    kv.failure = () -> new KvUnavailableException(Code.UNAVAILABLE, "no quorum", null);
    assertThat(db.insert("usertable", "user1", record("a", "1")))
        .isEqualTo(Status.SERVICE_UNAVAILABLE);
    assertThat(db.read("usertable", "user1", null, new HashMap<>()))
        .isEqualTo(Status.SERVICE_UNAVAILABLE);
    assertThat(db.scan("usertable", "user1", 10, null, new Vector<>()))
        .isEqualTo(Status.SERVICE_UNAVAILABLE);
  }

  @Test
  void aValueThatIsNotARecordIsUnexpectedState() {
    kv.put("usertable:user1".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2});
    assertThat(db.read("usertable", "user1", null, new HashMap<>()).getName())
        .isEqualTo("UNEXPECTED_STATE");
  }

  @Test
  void sharedClientIsReferenceCountedAndClosedByTheLastCleanup() throws Exception {
    Properties props = new Properties();
    // Nothing listens here; building the client does not connect.
    props.setProperty(KvYcsbClient.ENDPOINTS_PROPERTY, "127.0.0.1:1");
    KvYcsbClient first = new KvYcsbClient();
    KvYcsbClient second = new KvYcsbClient();
    first.setProperties(props);
    second.setProperties(props);
    first.init();
    second.init();
    assertThat(KvYcsbClient.sharedReferences()).isEqualTo(2);
    first.cleanup();
    first.cleanup(); // a second cleanup of one instance releases nothing
    assertThat(KvYcsbClient.sharedReferences()).isEqualTo(1);
    second.cleanup();
    assertThat(KvYcsbClient.sharedReferences()).isZero();
  }
}
