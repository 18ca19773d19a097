package dev.kv.statemachine.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.proto.AppliedState;
import dev.kv.statemachine.proto.ClientSession;
import dev.kv.statemachine.proto.StoredValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link KvStore} engine must have; one subclass per engine. */
abstract class KvStoreContract {
  protected KvStore store;

  protected abstract KvStore newStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = newStore();
  }

  @AfterEach
  void close() {
    store.close();
  }

  static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  static StoredValue value(String v, long version) {
    return StoredValue.newBuilder().setValue(bytes(v)).setVersion(version).build();
  }

  static WriteSet writes(long index) {
    WriteSet w = new WriteSet();
    w.setApplied(AppliedState.newBuilder().setIndex(index).setTerm(1).build());
    return w;
  }

  @Test
  void emptyStoreHasAppliedIndexZero() {
    assertThat(store.appliedState().getIndex()).isZero();
    assertThat(store.get(bytes("a"))).isEmpty();
  }

  @Test
  void commitMakesDataSessionsAndAppliedStateVisibleTogether() {
    WriteSet w = writes(7);
    w.put(bytes("a"), value("1", 1));
    w.putSession(bytes("c1"), ClientSession.newBuilder().setAckedBelow(3).build());
    store.commit(w);

    assertThat(store.get(bytes("a"))).contains(value("1", 1));
    assertThat(store.session(bytes("c1")).orElseThrow().getAckedBelow()).isEqualTo(3);
    assertThat(store.appliedState().getIndex()).isEqualTo(7);

    WriteSet delete = writes(8);
    delete.delete(bytes("a"));
    delete.deleteSession(bytes("c1"));
    store.commit(delete);
    assertThat(store.get(bytes("a"))).isEmpty();
    assertThat(store.session(bytes("c1"))).isEmpty();
    assertThat(store.appliedState().getIndex()).isEqualTo(8);
  }

  @Test
  void scanVisitsInUnsignedKeyOrderStrictlyAfterTheCursor() {
    WriteSet w = writes(1);
    for (String k : List.of("b", "a", "\u00ff", "c")) {
      w.put(bytes(k), value(k, 1));
    }
    store.commit(w);

    List<ByteString> all = new ArrayList<>();
    store.scan(ByteString.EMPTY, (k, v) -> all.add(k));
    assertThat(all).containsExactly(bytes("a"), bytes("b"), bytes("c"), bytes("\u00ff"));

    List<ByteString> afterB = new ArrayList<>();
    store.scan(bytes("b"), (k, v) -> afterB.add(k));
    assertThat(afterB).containsExactly(bytes("c"), bytes("\u00ff"));

    List<ByteString> afterMissing = new ArrayList<>();
    store.scan(bytes("bb"), (k, v) -> afterMissing.add(k));
    assertThat(afterMissing).containsExactly(bytes("c"), bytes("\u00ff"));

    List<ByteString> stopped = new ArrayList<>();
    store.scan(ByteString.EMPTY, (k, v) -> stopped.add(k) && stopped.size() < 2);
    assertThat(stopped).hasSize(2);
  }

  @Test
  void forEachSessionVisitsEverySession() {
    WriteSet w = writes(1);
    w.putSession(bytes("x"), ClientSession.newBuilder().setLastActiveMillis(5).build());
    w.putSession(bytes("y"), ClientSession.newBuilder().setLastActiveMillis(6).build());
    store.commit(w);
    List<ByteString> seen = new ArrayList<>();
    store.forEachSession((id, s) -> seen.add(id));
    assertThat(seen).containsExactly(bytes("x"), bytes("y"));
  }

  @Test
  void digestCoversTheDataAtTheAppliedIndex() {
    DataDigest empty = store.digest();
    assertThat(empty.appliedIndex()).isZero();
    assertThat(empty.entries()).isZero();

    WriteSet w = writes(4);
    w.put(bytes("a"), value("1", 1));
    w.put(bytes("b"), value("2", 1));
    w.putSession(bytes("c1"), ClientSession.newBuilder().setAckedBelow(3).build());
    store.commit(w);
    DataDigest two = store.digest();
    assertThat(two.appliedIndex()).isEqualTo(4);
    assertThat(two.entries()).isEqualTo(2);
    assertThat(two.sha256()).isNotEqualTo(empty.sha256());

    // A session alone changes no user data, so not the hash.
    WriteSet session = writes(5);
    session.putSession(bytes("c2"), ClientSession.newBuilder().setAckedBelow(1).build());
    store.commit(session);
    assertThat(store.digest().sha256()).isEqualTo(two.sha256());
    assertThat(store.digest().appliedIndex()).isEqualTo(5);

    // Same value, other version: a different record, so a different hash.
    WriteSet bump = writes(6);
    bump.put(bytes("b"), value("2", 2));
    store.commit(bump);
    assertThat(store.digest().sha256()).isNotEqualTo(two.sha256());
  }

  @Test
  void digestDependsOnContentNotOnHowItWasWritten() throws Exception {
    WriteSet together = writes(9);
    together.put(bytes("a"), value("1", 1));
    together.put(bytes("b"), value("2", 1));
    store.commit(together);

    try (KvStore other = newOtherStore()) {
      WriteSet first = writes(3);
      first.put(bytes("b"), value("2", 1));
      first.put(bytes("x"), value("gone", 1));
      other.commit(first);
      WriteSet second = writes(9);
      second.put(bytes("a"), value("1", 1));
      second.delete(bytes("x"));
      other.commit(second);

      assertThat(other.digest()).isEqualTo(store.digest());
    }
  }

  /** A second, independent store of the same engine. */
  protected abstract KvStore newOtherStore() throws Exception;
}
