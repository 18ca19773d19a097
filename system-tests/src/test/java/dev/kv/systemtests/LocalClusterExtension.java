package dev.kv.systemtests;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives test classes one {@link LocalCluster} for the whole test run, so the *IT classes share one
 * cluster start. Before each class it makes sure every node runs (a class before it may have
 * stopped some). The cluster lives in the root context's store, which closes it (every node
 * stopped) when the run ends, passed or failed. A failed test prints every node's log.
 *
 * <p>Use: {@code @ExtendWith(LocalClusterExtension.class)} and a {@code LocalCluster} parameter on
 * a test, lifecycle method or constructor.
 */
final class LocalClusterExtension implements BeforeAllCallback, ParameterResolver, TestWatcher {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LocalClusterExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    LocalCluster cluster = cluster(context);
    if (!cluster.allNodesRunning()) {
      cluster.up();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return cluster(context);
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    System.out.println("FAILED: " + context.getDisplayName() + ": " + cause);
    cluster(context).printNodeLogs();
  }

  private static LocalCluster cluster(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            LocalCluster.class, type -> LocalCluster.create(), LocalCluster.class);
  }
}
