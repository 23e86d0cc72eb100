package io.siamese.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A JMH auxiliary counter of the floating-point work done: a benchmark adds the analytic GFLOP of
 * each call (see {@link Flops}) to {@link #gflop}. JMH divides an {@code OPERATIONS} counter by the
 * iteration's time, so in throughput mode with seconds as the unit the secondary result {@code
 * :gflop}, printed in "ops/s", reads directly as GFLOP/s.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class GflopCounter {
  /** GFLOP done in this iteration. */
  public double gflop;

  /** JMH does not reset auxiliary counters itself. */
  @Setup(Level.Iteration)
  public void reset() {
    gflop = 0;
  }
}
