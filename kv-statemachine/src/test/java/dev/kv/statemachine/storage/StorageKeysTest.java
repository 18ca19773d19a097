package dev.kv.statemachine.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kv.api.KeyHash;
import dev.kv.api.testing.SeededRuns;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StorageKeysTest {

  static byte[] key(Random random) {
    byte[] key = new byte[1 + random.nextInt(40)];
    random.nextBytes(key);
    return key;
  }

  @Test
  void storageKeyOrderIsHashThenKeyOrder() {
    SeededRuns.run("StorageKeysTest", 2000, random -> {
      byte[] a = key(random);
      byte[] b = random.nextInt(10) == 0 ? a.clone() : key(random);
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
    });
  }

  @Test
  void userKeyAndHashRoundTrip() {
    SeededRuns.run("StorageKeysTest", 2000, random -> {
      byte[] key = key(random);
      ByteString storageKey = StorageKeys.of(ByteString.copyFrom(key));
      assertThat(StorageKeys.userKey(storageKey).toByteArray()).isEqualTo(key);
      assertThat(StorageKeys.hash(storageKey)).isEqualTo(KeyHash.of(key));
    });
  }
}
