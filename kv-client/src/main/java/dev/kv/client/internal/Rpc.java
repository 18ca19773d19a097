package dev.kv.client.internal;

import io.grpc.MethodDescriptor;
import java.util.function.Function;

/**
 * One logical operation as the retry loop sees it: what to send, where, whether it changes the
 * store, and how to turn the reply into the SDK's result.
 *
 * @param name the operation's name in messages, e.g. "Put"
 * @param write whether the request changes the store, which decides how an unknown outcome is
 *     reported
 * @param routeHash the key hash the request is routed by, or null to let the server route
 */
record Rpc<ReqT, RespT, T>(
    String name,
    MethodDescriptor<ReqT, RespT> method,
    ReqT request,
    boolean write,
    Function<RespT, T> result,
    Long routeHash) {}
