package io.siamese.bench;

import io.siamese.core.encoder.Conv2dLayer;
import io.siamese.core.encoder.DenseLayer;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.encoder.LayerSpec;
import io.siamese.core.encoder.ResidualBlockLayer;
import io.siamese.data.ExampleShape;
import java.util.List;

/**
 * Analytic floating-point operation counts, for GFLOP/s figures: 2 x the multiply-adds of the
 * convolutions and dense layers, the convention of the literature and of the reference figures in
 * {@code ../shared/docs/BENCHMARKS.md}. Biases, activations and pooling are left out (under 1% of
 * either network here).
 */
final class Flops {
  private Flops() {}

  /**
   * FLOPs of one forward pass of one example through {@code spec}: Conv-4 at 28x28x1 with 64
   * filters gives 19,630,080 (19.6 MFLOP), the Koch network at 105x105x1 1,817,247,744 (1.82
   * GFLOP).
   *
   * @throws IllegalArgumentException for a residual block, whose cost this class does not count
   */
  static long forwardPerExample(EncoderSpec spec) {
    List<LayerSpec> layers = spec.layers();
    List<ExampleShape> outputs = spec.layerOutputShapes();
    ExampleShape in = spec.inputShape();
    long flops = 0;
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec layer = layers.get(i);
      ExampleShape out = outputs.get(i);
      if (layer instanceof Conv2dLayer conv) {
        flops += 2L * out.height() * out.width() * conv.filters() * conv.kernel() * conv.kernel() * in.channels();
      } else if (layer instanceof DenseLayer dense) {
        flops += 2L * in.size() * dense.units();
      } else if (layer instanceof ResidualBlockLayer) {
        throw new IllegalArgumentException("no FLOP count for " + layer);
      }
      in = out;
    }
    return flops;
  }

  /** FLOPs of one {@code n x n} by {@code n x n} matrix product: {@code 2 n^3}. */
  static double matMul(int n) {
    return 2.0 * n * n * n;
  }
}
