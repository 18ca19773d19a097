#!/usr/bin/env python3
"""A non-Java client of the kv.v1.KV gRPC service: checks the public contract from Python.

Usage:
    python3 -m grpc_tools.protoc -I kv-api/src/main/proto --python_out=STUBS \\
        --grpc_python_out=STUBS kv/v1/kv.proto
    python3 kv_smoke.py --stubs STUBS --endpoints 127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003

It needs only grpcio and protobuf (Debian: python3-grpcio; python3-grpc-tools for the stubs).
Every key it writes starts with py/<random run id>/, so it can run against any cluster, again
and again. Exit status: 0 when every check passed, 1 when one failed, 2 on bad usage.
system-tests' PythonClientIT runs it against a local cluster.
"""

import argparse
import sys
import time
import uuid

CALL_TIMEOUT_S = 5
# How long a call is retried while the cluster answers UNAVAILABLE (no leader yet, or the node
# lost its quorum). A write answered UNAVAILABLE was not applied, so retrying it is safe.
UNAVAILABLE_RETRY_S = 30


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


class Client:
    """Calls KV on the first endpoint that answers, and numbers writes for exactly-once retries."""

    def __init__(self, grpc, pb, pb_grpc, endpoints):
        self.grpc = grpc
        self.pb = pb
        self.stubs = [pb_grpc.KVStub(grpc.insecure_channel(e)) for e in endpoints]
        self.endpoints = endpoints
        self.current = 0
        # A client id is 16 random bytes, chosen once; writes are numbered 1, 2, 3, ...
        self.client_id = uuid.uuid4().bytes
        self.sequence = 0

    def next_write_id(self):
        self.sequence += 1
        # Every earlier write has its answer, so none of them will be retried.
        return self.pb.WriteId(
            client_id=self.client_id, sequence=self.sequence, acked_below=self.sequence)

    def call(self, method, request):
        deadline = time.monotonic() + UNAVAILABLE_RETRY_S
        while True:
            stub = self.stubs[self.current]
            try:
                return getattr(stub, method)(request, timeout=CALL_TIMEOUT_S)
            except self.grpc.RpcError as e:
                if e.code() != self.grpc.StatusCode.UNAVAILABLE or time.monotonic() > deadline:
                    raise
                print("  %s via %s: UNAVAILABLE (%s); trying the next endpoint"
                      % (method, self.endpoints[self.current], e.details()))
                self.current = (self.current + 1) % len(self.stubs)
                time.sleep(0.5)

    def put(self, key, value, write_id=None):
        write_id = write_id or self.next_write_id()
        return self.call("Put", self.pb.PutRequest(key=key, value=value, write_id=write_id))

    def get(self, key):
        return self.call("Get", self.pb.GetRequest(key=key))


def check_put_then_get(client, pb, prefix):
    key = prefix + b"greeting"
    value = "hello from Python, h\u00e9llo".encode("utf-8")
    put = client.put(key, value)
    expect(put.version == 1, "first Put of a new key: version %d, expected 1" % put.version)
    got = client.get(key)
    expect(got.found, "Get after Put: found=false")
    expect(got.value == value, "Get after Put: value %r, expected %r" % (got.value, value))
    expect(got.version == put.version,
           "Get after Put: version %d, Put answered %d" % (got.version, put.version))
    again = client.put(key, b"second")
    expect(again.version == 2, "second Put: version %d, expected 2" % again.version)
    expect(client.get(key).version == 2, "Get after the second Put: version is not 2")


def check_retried_write_is_applied_once(client, pb, prefix):
    key = prefix + b"retried"
    write_id = client.next_write_id()
    first = client.put(key, b"once", write_id)
    retry = client.put(key, b"once", write_id)  # what a client does after a lost answer
    expect(retry.version == first.version,
           "a retried Put (same client_id and sequence) answered version %d; the first answer "
           "was %d, so it was applied twice" % (retry.version, first.version))
    expect(client.get(key).version == first.version, "Get shows the retried Put applied twice")


def check_create_if_absent(client, pb, prefix):
    key = prefix + b"created-once"

    def create(value):
        return client.call("CompareAndSet", pb.CompareAndSetRequest(
            key=key, condition=pb.Condition(absent=True), put_value=value,
            write_id=client.next_write_id()))

    first = create(b"first")
    expect(first.succeeded, "create-if-absent of a new key: succeeded=false")
    expect(first.version == 1, "create-if-absent: version %d, expected 1" % first.version)
    second = create(b"second")
    expect(not second.succeeded, "the second create-if-absent of one key succeeded")
    expect(second.version == 1,
           "a failed create-if-absent must report the current version 1, not %d" % second.version)
    got = client.get(key)
    expect(got.value == b"first", "after a failed create-if-absent the value is %r" % got.value)


def check_scan_pages_through_every_key_once(client, pb, prefix):
    scan_prefix = prefix + b"scan/"
    written = {scan_prefix + b"%02d" % i: b"value-%d" % i for i in range(25)}
    for key, value in written.items():
        client.put(key, value)

    seen = []
    cursor = b""
    for page_number in range(1, 1001):
        page = client.call("Scan", pb.ScanRequest(cursor=cursor, limit=10, key_prefix=scan_prefix))
        expect(len(page.entries) <= 10,
               "page %d has %d entries; the limit was 10" % (page_number, len(page.entries)))
        for entry in page.entries:
            expect(entry.key.startswith(scan_prefix),
                   "Scan returned %r, outside the prefix" % entry.key)
            expect(entry.value == written.get(entry.key),
                   "Scan returned %r=%r" % (entry.key, entry.value))
            seen.append(entry.key)
        cursor = page.next_cursor
        if not cursor:
            break
    else:
        raise CheckFailed("Scan still returned a cursor after 1000 pages")

    duplicates = sorted({k for k in seen if seen.count(k) > 1})
    expect(not duplicates, "Scan returned these keys more than once: %r" % duplicates)
    missing = sorted(set(written) - set(seen))
    expect(not missing, "Scan never returned: %r" % missing)
    expect(len(seen) == 25, "Scan returned %d keys, expected 25" % len(seen))
    print("  %d keys in %d pages" % (len(seen), page_number))


def check_delete(client, pb, prefix):
    key = prefix + b"deleted"
    client.put(key, b"short-lived")

    def delete():
        return client.call("Delete", pb.DeleteRequest(key=key, write_id=client.next_write_id()))

    expect(delete().existed, "Delete of an existing key: existed=false")
    got = client.get(key)
    expect(not got.found and got.version == 0,
           "Get after Delete: found=%s version=%d" % (got.found, got.version))
    expect(not delete().existed, "Delete of an absent key: existed=true")


def check_invalid_keys_are_rejected(client, pb, prefix, key_limit):
    grpc = client.grpc
    for key, what in ((b"k" * (key_limit + 1), "a key of %d bytes" % (key_limit + 1)),
                      (b"", "an empty key")):
        try:
            client.put(key, b"value")
        except grpc.RpcError as e:
            expect(e.code() == grpc.StatusCode.INVALID_ARGUMENT,
                   "Put of %s: %s (%s), expected INVALID_ARGUMENT" % (what, e.code(), e.details()))
            if key:
                expect(str(key_limit) in (e.details() or ""),
                       "the error for %s does not name the limit %d: %r"
                       % (what, key_limit, e.details()))
            print("  %s: INVALID_ARGUMENT: %s" % (what, e.details()))
        else:
            raise CheckFailed("Put of %s succeeded; expected INVALID_ARGUMENT" % what)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stubs", required=True,
                        help="folder with the kv/v1/kv_pb2*.py that grpc_tools.protoc made")
    parser.add_argument("--endpoints", required=True, help="host:port[,host:port...]")
    parser.add_argument("--key-limit", type=int, default=4096,
                        help="the server's key size limit in bytes (default 4096)")
    args = parser.parse_args()

    try:
        import grpc
        sys.path.insert(0, args.stubs)
        from kv.v1 import kv_pb2, kv_pb2_grpc
    except ImportError as e:
        print("kv_smoke: cannot import grpc or the generated stubs: %s" % e, file=sys.stderr)
        return 2

    endpoints = [e.strip() for e in args.endpoints.split(",") if e.strip()]
    client = Client(grpc, kv_pb2, kv_pb2_grpc, endpoints)
    prefix = b"py/" + uuid.uuid4().hex[:12].encode() + b"/"
    print("kv_smoke: endpoints %s, keys under %s" % (", ".join(endpoints), prefix.decode()))

    checks = [
        ("Put then Get returns the value and version", check_put_then_get),
        ("a retried Put is applied once", check_retried_write_is_applied_once),
        ("CompareAndSet create-if-absent succeeds once", check_create_if_absent),
        ("Scan pages through every key exactly once", check_scan_pages_through_every_key_once),
        ("Delete reports whether the key existed", check_delete),
        ("invalid keys get INVALID_ARGUMENT naming the limit",
         lambda c, pb, p: check_invalid_keys_are_rejected(c, pb, p, args.key_limit)),
    ]
    for number, (name, check) in enumerate(checks, 1):
        try:
            check(client, kv_pb2, prefix)
        except CheckFailed as e:
            print("FAILED %d/%d %s: %s" % (number, len(checks), name, e))
            return 1
        except grpc.RpcError as e:
            print("FAILED %d/%d %s: unexpected gRPC error %s: %s"
                  % (number, len(checks), name, e.code(), e.details()))
            return 1
        print("ok %d/%d %s" % (number, len(checks), name))
    print("kv_smoke: all %d checks passed" % len(checks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
