package io.siamese.core;

/**
 * The arithmetic a model's TensorFlow session computes in (see {@link
 * SiameseModelBuilder#precision}). Weights, optimizer state, saved models and exports are float32
 * in every case: the precision is a setting of the running session, which TensorFlow's graph
 * optimizer applies when it compiles the graph.
 */
public enum Precision {
  /** float32 throughout: the default, and the only choice whose results are reproducible bit for bit. */
  FP32,

  /**
   * Mixed precision: convolutions, matrix products and the element-wise ops around them run in a
   * 16-bit float format, with float32 weights (cast on the fly), float32 updates, and the
   * reductions and the loss kept in float32 where TensorFlow's lists say so.
   *
   * <ul>
   *   <li>CPU: oneDNN's bfloat16 (TensorFlow's {@code auto_mixed_precision_onednn_bfloat16}
   *       rewrite), where the processor computes in bfloat16 natively (the {@code avx512_bf16}
   *       or {@code amx_bf16} flags of {@code /proc/cpuinfo}). Elsewhere bfloat16 would be emulated
   *       and slower than float32, so the model logs a warning and its CPU ops stay float32.
   *       Measured on Conv-4 (2 cores with AVX512_BF16): see docs/benchmarks.md.
   *   <li>GPU: ops placed on a GPU get TensorFlow's {@code auto_mixed_precision} rewrite, float16
   *       on GPUs of compute capability 7.0 and later, without loss scaling (gradients under about
   *       6e-8 flush to zero). Not measured: no GPU was at hand.
   * </ul>
   *
   * <p>bfloat16 keeps float32's range and 8 bits of mantissa: embeddings differ from {@link #FP32}'s
   * in about the third significant digit, and training takes a different path from the same seed.
   *
   * <p>Encoders with residual blocks ({@code ResNet12BlockLayer}, {@code ResidualBlockLayer}, or an
   * exported graph with a convolution that has no bias) compute in float32 on the CPU, with a
   * warning: TensorFlow Java 1.1.0's oneDNN kernels computed them wrongly in bfloat16, with
   * embeddings 44-49% of their length away from float32's (Conv-4's: 0.6%) and, in training, about
   * 1 step in 20 not finite (docs/benchmarks.md, "Mixed precision and residual blocks").
   */
  MIXED
}
