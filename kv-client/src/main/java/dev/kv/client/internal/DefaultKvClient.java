package dev.kv.client.internal;

import dev.kv.client.KvClient;

/**
 * The {@link KvClient} the builder creates: the data operations with the configured timeout, plus
 * ownership of the {@link ClientRuntime}, which only it may close.
 */
public final class DefaultKvClient extends KvOperationsImpl implements KvClient {

  public DefaultKvClient(ClientConfig config) {
    super(new ClientRuntime(config), config.timeout());
  }

  @Override
  public void close() {
    runtime.close();
  }
}
