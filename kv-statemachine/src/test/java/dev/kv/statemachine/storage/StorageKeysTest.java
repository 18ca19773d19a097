package dev.kv.statemachine.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kv.api.KeyHash;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

class StorageKeysTest {

  @Property
  void storageKeyOrderIsHashThenKeyOrder(
      @ForAll @Size(min = 1, max = 40) byte[] a, @ForAll @Size(min = 1, max = 40) byte[] b) {
    ByteString ka = StorageKeys.of(ByteString.copyFrom(a));
    ByteString kb = StorageKeys.of(ByteString.copyFrom(b));
    int byStorage = Integer.signum(ByteString.unsignedLexicographicalComparator().compare(ka, kb));
    int byHash = Long.compareUnsigned(KeyHash.of(a), KeyHash.of(b));
    int expected =
        byHash != 0
            ? Integer.signum(byHash)
            : Integer.signum(
                ByteString.unsignedLexicographicalComparator()
                    .compare(ByteString.copyFrom(a), ByteString.copyFrom(b)));
    assertThat(byStorage).isEqualTo(expected);
  }

  @Property
  void userKeyAndHashRoundTrip(@ForAll @Size(min = 1, max = 40) byte[] key) {
    ByteString storageKey = StorageKeys.of(ByteString.copyFrom(key));
    assertThat(StorageKeys.userKey(storageKey).toByteArray()).isEqualTo(key);
    assertThat(StorageKeys.hash(storageKey)).isEqualTo(KeyHash.of(key));
  }
}
