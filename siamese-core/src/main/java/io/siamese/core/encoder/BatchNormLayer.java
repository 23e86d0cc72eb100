package io.siamese.core.encoder;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.data.ExampleShape;

/**
 * Batch normalisation (Ioffe and Szegedy 2015) per channel (the last dimension), with a learned
 * scale and offset. In training it normalises with the batch's statistics, which span both twins
 * because they run as one stacked batch, and updates moving averages; in inference (embedding,
 * evaluation, export) it uses the moving averages, so an example's embedding does not depend on
 * its batch.
 *
 * @param momentum weight of the old value in each moving-average update, in [0, 1), e.g. 0.99
 * @param epsilon added to the variance before its square root, {@code > 0}, e.g. 1e-3
 */
public record BatchNormLayer(double momentum, double epsilon) implements LayerSpec {

  public BatchNormLayer {
    checkArgument(momentum >= 0 && momentum < 1, "batch-norm momentum must be in [0, 1), got %s", momentum);
    checkArgument(epsilon > 0 && Double.isFinite(epsilon), "batch-norm epsilon must be finite and > 0, got %s", epsilon);
  }

  @Override
  public ExampleShape outputShape(ExampleShape input) {
    return input;
  }

  @Override
  public long parameterCount(ExampleShape input) {
    return 2L * input.dim(input.rank() - 1);
  }

  @Override
  public String toString() {
    return "batchNorm(momentum " + momentum + ", epsilon " + epsilon + ")";
  }
}
