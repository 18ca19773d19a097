package dev.kv.statemachine.storage;

class InMemoryKvStoreTest extends KvStoreContract {
  @Override
  protected KvStore newStore() {
    return new InMemoryKvStore();
  }

  @Override
  protected KvStore newOtherStore() {
    return new InMemoryKvStore();
  }
}
