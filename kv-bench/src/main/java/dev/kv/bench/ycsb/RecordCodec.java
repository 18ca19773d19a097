package dev.kv.bench.ycsb;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;

/**
 * Encodes a YCSB record (field name to bytes) as one kv value. The format, all ints 4-byte
 * big-endian and signed (lengths are never negative):
 *
 * <pre>
 *   count                                  int: number of fields
 *   count times:
 *     nameLength   int, then nameLength bytes of the field name in UTF-8
 *     valueLength  int, then valueLength bytes of the field value
 * </pre>
 *
 * Fields are written in the map's iteration order; order carries no meaning. An empty record is the
 * 4 bytes {@code 00 00 00 00}. Decoding rejects truncated or trailing bytes with {@link
 * IllegalArgumentException}.
 */
public final class RecordCodec {
  private RecordCodec() {}

  /** Encodes every field of {@code record}; consumes its iterators (YCSB's are one-shot). */
  public static byte[] encode(Map<String, ByteIterator> record) {
    List<byte[]> names = new ArrayList<>(record.size());
    List<byte[]> values = new ArrayList<>(record.size());
    int size = 4;
    for (Map.Entry<String, ByteIterator> field : record.entrySet()) {
      byte[] name = field.getKey().getBytes(StandardCharsets.UTF_8);
      byte[] value = field.getValue().toArray();
      names.add(name);
      values.add(value);
      size += 8 + name.length + value.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.putInt(names.size());
    for (int i = 0; i < names.size(); i++) {
      out.putInt(names.get(i).length).put(names.get(i));
      out.putInt(values.get(i).length).put(values.get(i));
    }
    return out.array();
  }

  /** Decodes every field. */
  public static HashMap<String, ByteIterator> decode(byte[] encoded) {
    return decode(encoded, null);
  }

  /**
   * Decodes the fields named in {@code fields} that the record has, or all of them when {@code
   * fields} is null (YCSB's "read all fields"). Fields not asked for are skipped, not copied.
   */
  public static HashMap<String, ByteIterator> decode(byte[] encoded, Set<String> fields) {
    try {
      ByteBuffer in = ByteBuffer.wrap(encoded);
      int count = in.getInt();
      if (count < 0) {
        throw new IllegalArgumentException("record has a negative field count: " + count);
      }
      HashMap<String, ByteIterator> record = new HashMap<>();
      for (int i = 0; i < count; i++) {
        String name = new String(bytes(in), StandardCharsets.UTF_8);
        int valueLength = length(in);
        if (fields == null || fields.contains(name)) {
          byte[] value = new byte[valueLength];
          in.get(value);
          record.put(name, new ByteArrayByteIterator(value));
        } else {
          in.position(in.position() + valueLength);
        }
      }
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(
            "record has " + in.remaining() + " bytes after its " + count + " fields");
      }
      return record;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("record is truncated (" + encoded.length + " bytes)", e);
    }
  }

  private static byte[] bytes(ByteBuffer in) {
    byte[] bytes = new byte[length(in)];
    in.get(bytes);
    return bytes;
  }

  private static int length(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException(
          "record field length " + length + " exceeds the " + in.remaining() + " bytes left");
    }
    return length;
  }
}
