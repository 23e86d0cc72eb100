package io.siamese.bench;

import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * How a hand-written baseline max-pools (2x2, stride 2, VALID). The two compute the same function;
 * they differ in which kernels TensorFlow picks on a oneDNN CPU build. Public because JMH sets it as
 * a parameter.
 */
public enum RawPooling {
  /**
   * {@code tf.nn.maxPool}: TensorFlow Java's only max-pool wrapper, which builds {@code MaxPoolV2}
   * (window and strides as tensors). What a TensorFlow Java user writes; its gradient, {@code
   * MaxPoolGradV2}, runs TensorFlow's generic CPU kernel.
   */
  TF_JAVA_API,

  /**
   * The original {@code MaxPool} op (window and strides as attributes) built by name, as the
   * library's training path builds it: oneDNN rewrites it and its gradient to its own kernels. The
   * training baseline that isolates everything but the choice of pooling op. (The library's
   * inference path keeps {@code MaxPoolV2}, whose generic kernel is the faster forward at small
   * batches.)
   */
  MAX_POOL_OP;

  Operand<TFloat32> maxPool2x2(Ops tf, Operand<TFloat32> x) {
    if (this == TF_JAVA_API) {
      return tf.nn.maxPool(x, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
    }
    return ((GraphOperation)
            tf.scope()
                .opBuilder("MaxPool", "MaxPool")
                .addInput(x.asOutput())
                .setAttr("ksize", new long[] {1, 2, 2, 1})
                .setAttr("strides", new long[] {1, 2, 2, 1})
                .setAttr("padding", "VALID")
                .build())
        .output(0);
  }
}
