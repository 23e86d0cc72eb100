package io.siamese.core;

/** Element-wise activation functions. */
public enum Activation {
  /** {@code max(x, 0)}. */
  RELU,
  /** {@code 1 / (1 + exp(-x))}. */
  SIGMOID,
  /** Hyperbolic tangent. */
  TANH
}
