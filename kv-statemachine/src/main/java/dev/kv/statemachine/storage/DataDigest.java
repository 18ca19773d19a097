package dev.kv.statemachine.storage;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.proto.StoredValue;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A fingerprint of one replica's user data at one applied index, so the replicas of a group can be
 * compared without shipping their data: two replicas that applied the same log to the same index
 * must report the same digest.
 *
 * <p>The hash is SHA-256 over every data entry in storage key order, each as: key length (4 bytes,
 * big-endian), storage key, value length, value, version (8 bytes), mod index (8 bytes). It is
 * built from the fields, not from the stored protobuf bytes, so it does not depend on how a
 * version of the code happened to encode a record. Client sessions and the applied state are not
 * part of it: only what users stored.
 *
 * @param appliedIndex the applied index the data is exactly the state of
 * @param entries how many data entries were hashed
 * @param sha256 the hash (32 bytes)
 */
public record DataDigest(long appliedIndex, long entries, ByteString sha256) {

  /** The hash as lower-case hex, for messages. */
  public String hex() {
    return HexFormat.of().formatHex(sha256.toByteArray());
  }

  /** Feeds entries in storage key order, then {@link #finish}es at the index they are at. */
  public static final class Builder {
    private final MessageDigest sha = newSha256();
    private final ByteBuffer number = ByteBuffer.allocate(Long.BYTES);
    private long entries;

    public Builder add(ByteString storageKey, StoredValue value) {
      putInt(storageKey.size());
      sha.update(storageKey.asReadOnlyByteBuffer());
      putInt(value.getValue().size());
      sha.update(value.getValue().asReadOnlyByteBuffer());
      putLong(value.getVersion());
      putLong(value.getModIndex());
      entries++;
      return this;
    }

    public DataDigest finish(long appliedIndex) {
      return new DataDigest(appliedIndex, entries, ByteString.copyFrom(sha.digest()));
    }

    private void putInt(int n) {
      number.clear();
      number.putInt(n).flip();
      sha.update(number);
    }

    private void putLong(long n) {
      number.clear();
      number.putLong(n).flip();
      sha.update(number);
    }

    private static MessageDigest newSha256() {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java runtime has SHA-256", e);
      }
    }
  }
}
