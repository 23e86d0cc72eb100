package io.siamese.core.encoder;

import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.data.ExampleShape;

/**
 * An element-wise activation; keeps the shape.
 *
 * @param activation the function
 */
public record ActivationLayer(Activation activation) implements LayerSpec {

  public ActivationLayer {
    checkNotNull(activation, "activation");
  }

  @Override
  public ExampleShape outputShape(ExampleShape input) {
    return input;
  }

  @Override
  public String toString() {
    return activation.name().toLowerCase(java.util.Locale.ROOT) + "()";
  }
}
