package dev.kv.bench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.RandomByteIterator;

class RecordCodecTest {

  static Map<String, String> strings(Map<String, ByteIterator> record) {
    Map<String, String> out = new HashMap<>();
    record.forEach((k, v) -> out.put(k, new String(v.toArray(), StandardCharsets.UTF_8)));
    return out;
  }

  /** UTF-8 values (YCSB's StringByteIterator keeps only the low byte of each char). */
  static HashMap<String, ByteIterator> utf8(Map<String, String> fields) {
    HashMap<String, ByteIterator> record = new HashMap<>();
    fields.forEach(
        (k, v) -> record.put(k, new ByteArrayByteIterator(v.getBytes(StandardCharsets.UTF_8))));
    return record;
  }

  @Test
  void roundTrip() {
    Map<String, String> fields = Map.of("field0", "zero", "field1", "", "féld2", "ünïcode");
    byte[] encoded = RecordCodec.encode(utf8(fields));
    assertThat(strings(RecordCodec.decode(encoded))).isEqualTo(fields);
  }

  @Test
  void roundTripOfYcsbRandomValues() {
    HashMap<String, ByteIterator> record = new HashMap<>();
    record.put("field0", new RandomByteIterator(100));
    byte[] encoded = RecordCodec.encode(record);
    assertThat(encoded).hasSize(4 + 4 + 6 + 4 + 100);
    assertThat(RecordCodec.decode(encoded).get("field0").toArray()).hasSize(100);
  }

  @Test
  void emptyRecordIsFourZeroBytes() {
    byte[] encoded = RecordCodec.encode(new HashMap<>());
    assertThat(encoded).containsExactly(0, 0, 0, 0);
    assertThat(RecordCodec.decode(encoded)).isEmpty();
  }

  @Test
  void formatIsCountThenLengthPrefixedNamesAndValuesBigEndian() {
    byte[] encoded = RecordCodec.encode(utf8(Map.of("f", "ab")));
    assertThat(encoded).containsExactly(0, 0, 0, 1, 0, 0, 0, 1, 'f', 0, 0, 0, 2, 'a', 'b');
  }

  @Test
  void decodesOnlyTheRequestedFields() {
    byte[] encoded =
        RecordCodec.encode(
            utf8(Map.of("a", "1", "b", "2", "c", "3")));
    assertThat(strings(RecordCodec.decode(encoded, Set.of("a", "c", "missing"))))
        .isEqualTo(Map.of("a", "1", "c", "3"));
    assertThat(RecordCodec.decode(encoded, Set.of())).isEmpty();
    assertThat(RecordCodec.decode(encoded, null)).hasSize(3);
  }

  @Test
  void rejectsTruncatedAndTrailingBytes() {
    byte[] encoded = RecordCodec.encode(utf8(Map.of("f", "ab")));
    assertThatThrownBy(() -> RecordCodec.decode(Arrays.copyOf(encoded, encoded.length - 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RecordCodec.decode(Arrays.copyOf(encoded, encoded.length + 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RecordCodec.decode(new byte[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
