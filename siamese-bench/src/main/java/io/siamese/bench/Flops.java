package io.siamese.bench;

import io.siamese.core.encoder.EncoderSpec;

/**
 * Analytic floating-point operation counts, for GFLOP/s figures: 2 x the multiply-adds of the
 * convolutions and dense layers, the convention of the literature and of the reference figures in
 * {@code ../shared/docs/BENCHMARKS.md}. Biases, activations and pooling are left out (under 1% of
 * either network here).
 */
final class Flops {
  private Flops() {}

  /** FLOPs of one forward pass of one example through {@code spec}: {@link EncoderSpec#forwardFlopsPerExample()}. */
  static long forwardPerExample(EncoderSpec spec) {
    return spec.forwardFlopsPerExample();
  }

  /** FLOPs of one {@code n x n} by {@code n x n} matrix product: {@code 2 n^3}. */
  static double matMul(int n) {
    return 2.0 * n * n * n;
  }
}
