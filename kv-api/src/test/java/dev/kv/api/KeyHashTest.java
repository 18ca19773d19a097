package dev.kv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import dev.kv.api.testing.SeededRuns;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyHashTest {

  /** Guava's murmur3_128 (seed 0) is an independent implementation; asLong() is its h1. */
  @Test
  void equalsTheFirstWordOfGuavasMurmur3x64x128() {
    SeededRuns.run("KeyHashTest", 5000, random -> {
      byte[] key = SeededRuns.bytes(random, 100);
      assertThat(KeyHash.of(key)).isEqualTo(Hashing.murmur3_128(0).hashBytes(key).asLong());
    });
  }

  /** The vectors documented in kv.proto, for implementers in other languages. */
  @Test
  void documentedTestVectors() {
    assertThat(KeyHash.of(new byte[0])).isZero();
    assertThat(Long.toUnsignedString(KeyHash.of("hello".getBytes(StandardCharsets.UTF_8)), 16))
        .isEqualTo("cbd8a7b341bd9b02");
    assertThat(Long.toUnsignedString(KeyHash.of("key-1".getBytes(StandardCharsets.UTF_8)), 16))
        .isEqualTo("fe328eca36176afe");
  }
}
