package dev.kv.server.raft;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.ServerServiceDefinition;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.stub.ServerCalls;

/**
 * Answers, on this node's Raft port, the current Raft term of its replica of a group: the
 * question the group's leader asks every voter to confirm that it still leads (see {@link
 * ReadIndex}). It is added to Ratis' own gRPC server (Ratis takes a customizer for that), so it
 * travels exactly where Raft's messages travel: a node cut off from its peers' Raft ports cannot
 * confirm its leadership either.
 *
 * <p>Node to node only; the wire format is fixed by {@link #METHOD}: the request is the group's
 * id (16 bytes, a UUID), the answer the term (8 bytes, big-endian). NOT_FOUND when this node
 * hosts no replica of the group; UNAVAILABLE before its Raft server is up.
 */
final class RaftTermService {
  static final String SERVICE = "kv.internal.v1.RaftTerms";
  static final String METHOD = SERVICE + "/GetTerm";

  private RaftTermService() {}

  /** Adds the service to the Raft server's port (the one peers reach, not a client-only one). */
  static GrpcServices.Customizer customizer(Supplier<RaftServer> server) {
    return (builder, types) ->
        types.contains(GrpcServices.Type.SERVER) ? builder.addService(definition(server)) : builder;
  }

  private static ServerServiceDefinition definition(Supplier<RaftServer> server) {
    MethodDescriptor<byte[], byte[]> getTerm =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(METHOD)
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(
            getTerm,
            ServerCalls.asyncUnaryCall(
                (request, reply) -> {
                  RaftServer raft = server.get();
                  if (raft == null) {
                    reply.onError(Status.UNAVAILABLE.withDescription("starting").asException());
                    return;
                  }
                  if (request.length != 16) {
                    reply.onError(Status.INVALID_ARGUMENT
                        .withDescription("a group id is 16 bytes, got " + request.length)
                        .asException());
                    return;
                  }
                  RaftGroupId group = RaftGroupId.valueOf(decodeGroup(request));
                  long term;
                  try {
                    term = raft.getDivision(group).getInfo().getCurrentTerm();
                  } catch (IOException e) {
                    reply.onError(Status.NOT_FOUND
                        .withDescription("no replica of " + group + " here").asException());
                    return;
                  }
                  reply.onNext(encodeTerm(term));
                  reply.onCompleted();
                }))
        .build();
  }

  static byte[] encodeGroup(RaftGroupId group) {
    UUID uuid = group.getUuid();
    return ByteBuffer.allocate(16)
        .putLong(uuid.getMostSignificantBits())
        .putLong(uuid.getLeastSignificantBits())
        .array();
  }

  private static UUID decodeGroup(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    return new UUID(buffer.getLong(), buffer.getLong());
  }

  private static byte[] encodeTerm(long term) {
    return ByteBuffer.allocate(8).putLong(term).array();
  }

  static long decodeTerm(byte[] bytes) {
    if (bytes.length != 8) {
      throw new IllegalArgumentException("a term is 8 bytes, got " + bytes.length);
    }
    return ByteBuffer.wrap(bytes).getLong();
  }

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          return readAll(stream);
        }
      };

  /**
   * The body of a message as raw bytes. Both sides marshal raw bytes, each with its own gRPC
   * (Ratis' shaded one here, kvd's in PeerTerms), so the marshallers cannot be one class.
   */
  static byte[] readAll(InputStream stream) {
    try {
      return stream.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
