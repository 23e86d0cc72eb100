package io.siamese.core.encoder;

/** Element-wise activation functions. */
public enum Activation {
  /** {@code max(x, 0)}. */
  RELU,
  /** {@code 1 / (1 + exp(-x))}. */
  SIGMOID,
  /** Hyperbolic tangent. */
  TANH,
  /** {@code x} for {@code x > 0}, else {@code 0.2 x} (TensorFlow's default slope). */
  LEAKY_RELU,
  /** {@code x} for {@code x > 0}, else {@code exp(x) - 1}. */
  ELU
}
