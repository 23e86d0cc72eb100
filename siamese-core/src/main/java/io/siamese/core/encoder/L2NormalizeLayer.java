package io.siamese.core.encoder;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.data.ExampleShape;

/**
 * Scales each embedding to unit Euclidean length ({@code x / max(||x||, 1e-12)}), as FaceNet does
 * before a triplet loss; then Euclidean distances lie in [0, 2].
 */
public record L2NormalizeLayer() implements LayerSpec {

  @Override
  public ExampleShape outputShape(ExampleShape input) {
    checkArgument(!input.isImage(), "%s needs a vector input; add flatten() or a global pooling before it, got %s", this, input);
    return input;
  }

  @Override
  public String toString() {
    return "l2Normalize()";
  }
}
