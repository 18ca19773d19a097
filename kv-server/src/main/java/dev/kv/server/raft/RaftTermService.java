package dev.kv.server.raft;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
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
 * Answers, on this node's Raft port, the current Raft terms of its replicas of groups: the
 * question a group's leader asks every voter to confirm that it still leads (see {@link
 * ReadIndex}). It is added to Ratis' own gRPC server (Ratis takes a customizer for that), so it
 * travels exactly where Raft's messages travel: a node cut off from its peers' Raft ports cannot
 * confirm its leadership either.
 *
 * <p>Node to node only; the wire format is fixed by {@link #METHOD}: the request is one or more
 * group ids (16 bytes each, a UUID), at most {@link #MAX_GROUPS}; the answer one term per group
 * in the same order (8 bytes each, big-endian), {@link #NO_REPLICA} for a group this node hosts
 * no replica of. INVALID_ARGUMENT for a malformed request; UNAVAILABLE before its Raft server is
 * up.
 */
final class RaftTermService {
  static final String SERVICE = "kv.internal.v1.RaftTerms";
  static final String METHOD = SERVICE + "/GetTerms";
  /** The answer for a group without a replica here: no Raft term is negative. */
  static final long NO_REPLICA = -1;
  /** The most groups one request asks about: more than a node hosts by far. */
  static final int MAX_GROUPS = 65_536;

  private RaftTermService() {}

  /** Adds the service to the Raft server's port (the one peers reach, not a client-only one). */
  static GrpcServices.Customizer customizer(Supplier<RaftServer> server) {
    return (builder, types) ->
        types.contains(GrpcServices.Type.SERVER) ? builder.addService(definition(server)) : builder;
  }

  private static ServerServiceDefinition definition(Supplier<RaftServer> server) {
    MethodDescriptor<byte[], byte[]> getTerms =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(METHOD)
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(
            getTerms,
            ServerCalls.asyncUnaryCall(
                (request, reply) -> {
                  RaftServer raft = server.get();
                  if (raft == null) {
                    reply.onError(Status.UNAVAILABLE.withDescription("starting").asException());
                    return;
                  }
                  List<RaftGroupId> groups;
                  try {
                    groups = decodeGroups(request);
                  } catch (IllegalArgumentException e) {
                    reply.onError(
                        Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException());
                    return;
                  }
                  long[] terms = new long[groups.size()];
                  for (int i = 0; i < terms.length; i++) {
                    try {
                      terms[i] = raft.getDivision(groups.get(i)).getInfo().getCurrentTerm();
                    } catch (IOException noReplica) {
                      terms[i] = NO_REPLICA;
                    }
                  }
                  reply.onNext(encodeTerms(terms));
                  reply.onCompleted();
                }))
        .build();
  }

  static byte[] encodeGroups(List<RaftGroupId> groups) {
    ByteBuffer buffer = ByteBuffer.allocate(16 * groups.size());
    for (RaftGroupId group : groups) {
      UUID uuid = group.getUuid();
      buffer.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    }
    return buffer.array();
  }

  /** The groups a request asks about; fails, naming the rule, on a malformed request. */
  static List<RaftGroupId> decodeGroups(byte[] request) {
    if (request.length == 0 || request.length % 16 != 0 || request.length / 16 > MAX_GROUPS) {
      throw new IllegalArgumentException("a request is 1 to " + MAX_GROUPS
          + " group ids of 16 bytes each, got " + request.length + " bytes");
    }
    ByteBuffer buffer = ByteBuffer.wrap(request);
    List<RaftGroupId> groups = new ArrayList<>(request.length / 16);
    while (buffer.hasRemaining()) {
      groups.add(RaftGroupId.valueOf(new UUID(buffer.getLong(), buffer.getLong())));
    }
    return groups;
  }

  static byte[] encodeTerms(long[] terms) {
    ByteBuffer buffer = ByteBuffer.allocate(8 * terms.length);
    buffer.asLongBuffer().put(terms);
    return buffer.array();
  }

  /** The terms of an answer to a request about {@code groups} groups. */
  static long[] decodeTerms(byte[] bytes, int groups) {
    if (bytes.length != 8 * groups) {
      throw new IllegalArgumentException(
          "an answer about " + groups + " groups is " + 8 * groups + " bytes, got " + bytes.length);
    }
    long[] terms = new long[groups];
    ByteBuffer.wrap(bytes).asLongBuffer().get(terms);
    return terms;
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
