package dev.kv.chaos.suite;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints the chaos suite's closing line, {@code chaos: N passed, N failed}, after the container
 * tests (classes named *IT) ran; silent for the unit tests.
 */
public final class ChaosSummaryListener implements TestExecutionListener {
  private final AtomicInteger passed = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (!test.isTest() || !(test.getSource().orElse(null) instanceof MethodSource m)
        || !m.getClassName().endsWith("IT")) {
      return;
    }
    if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
      passed.incrementAndGet();
    } else {
      failed.incrementAndGet();
    }
  }

  @Override
  public void testPlanExecutionFinished(TestPlan plan) {
    if (passed.get() + failed.get() > 0) {
      System.out.println();
      System.out.println("chaos: " + passed.get() + " passed, " + failed.get() + " failed");
    }
  }
}
