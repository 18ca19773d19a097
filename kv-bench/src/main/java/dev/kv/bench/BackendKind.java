package dev.kv.bench;

import java.util.List;

/** The stores the bench can drive, with how to connect to each and its usual local endpoints. */
enum BackendKind {
  KV(List.of("127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003")) {
    @Override
    Backend connect(List<String> endpoints) {
      return KvBackend.connect(endpoints);
    }
  },
  ETCD(List.of("127.0.0.1:2379")) {
    @Override
    Backend connect(List<String> endpoints) {
      return EtcdBackend.connect(endpoints);
    }
  };

  private final List<String> defaultEndpoints;

  BackendKind(List<String> defaultEndpoints) {
    this.defaultEndpoints = defaultEndpoints;
  }

  /** The endpoints of `bin/kv-local up` for kv, a default etcd for etcd. */
  List<String> defaultEndpoints() {
    return defaultEndpoints;
  }

  abstract Backend connect(List<String> endpoints);
}
