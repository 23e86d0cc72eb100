package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.core.encoder.Activation;
import io.siamese.core.encoder.ActivationLayer;
import io.siamese.core.encoder.AvgPoolLayer;
import io.siamese.core.encoder.BatchNormLayer;
import io.siamese.core.encoder.Conv2dLayer;
import io.siamese.core.encoder.DenseLayer;
import io.siamese.core.encoder.DropoutLayer;
import io.siamese.core.encoder.FlattenLayer;
import io.siamese.core.encoder.GlobalPoolLayer;
import io.siamese.core.encoder.L2NormalizeLayer;
import io.siamese.core.encoder.LayerSpec;
import io.siamese.core.encoder.MaxPoolLayer;
import io.siamese.core.encoder.Padding;
import io.siamese.core.encoder.ResNet12BlockLayer;
import io.siamese.core.encoder.ResidualBlockLayer;
import io.siamese.data.ExampleShape;

/**
 * Layers and input shapes as the one-line text of {@code model.properties}, and back. Reading
 * treats the text as untrusted: every number is checked against a cap before anything is built
 * from it, so that a hand-edited file cannot make a load build an absurd graph.
 *
 * <p>The caps, far above any encoder this library is for: image sides up to {@value #MAX_SIDE}
 * pixels, up to {@value #MAX_CHANNELS} channels, vectors up to {@value #MAX_VECTOR} floats;
 * convolutions up to {@value #MAX_FILTERS} filters, kernels, strides and pooling windows up to
 * {@value #MAX_WINDOW}; dense layers up to {@value #MAX_UNITS} units.
 */
final class LayerText {
  static final int MAX_SIDE = 8192;
  static final int MAX_CHANNELS = 64;
  static final int MAX_VECTOR = 1 << 24;
  static final int MAX_FILTERS = 16384;
  static final int MAX_WINDOW = 256;
  static final int MAX_UNITS = 1 << 20;

  private LayerText() {}

  static String shape(ExampleShape s) {
    return s.isImage() ? s.toString() : "vector " + s.size();
  }

  static ExampleShape parseShape(String s) {
    if (s.startsWith("vector ")) {
      return ExampleShape.vector(bounded(s.substring(7).trim(), MAX_VECTOR, "vector length"));
    }
    String[] d = s.split("x");
    checkArgument(d.length == 3, "bad shape '%s'", s);
    return ExampleShape.image(
        bounded(d[0], MAX_SIDE, "image height"), bounded(d[1], MAX_SIDE, "image width"), bounded(d[2], MAX_CHANNELS, "channels"));
  }

  static String layer(LayerSpec l) {
    if (l instanceof Conv2dLayer c) {
      return "conv2d " + c.filters() + " " + c.kernel() + " " + c.stride() + " " + c.padding();
    } else if (l instanceof MaxPoolLayer m) {
      return "maxpool " + m.size() + " " + m.stride();
    } else if (l instanceof FlattenLayer) {
      return "flatten";
    } else if (l instanceof DenseLayer d) {
      return "dense " + d.units();
    } else if (l instanceof ActivationLayer a) {
      return "activation " + a.activation();
    } else if (l instanceof AvgPoolLayer a) {
      return "avgpool " + a.size() + " " + a.stride();
    } else if (l instanceof GlobalPoolLayer g) {
      return "globalpool " + g.pooling();
    } else if (l instanceof BatchNormLayer bn) {
      return "batchnorm " + bn.momentum() + " " + bn.epsilon();
    } else if (l instanceof DropoutLayer d) {
      return "dropout " + d.rate();
    } else if (l instanceof L2NormalizeLayer) {
      return "l2normalize";
    } else if (l instanceof ResidualBlockLayer r) {
      return "residual " + r.filters() + " " + r.stride();
    } else if (l instanceof ResNet12BlockLayer r) {
      return "resnet12block " + r.filters();
    }
    throw new IllegalStateException("no description for layer " + l);
  }

  static LayerSpec parseLayer(String s) {
    String[] t = s.trim().split(" ");
    switch (t[0]) {
      case "conv2d":
        arity(t, 5, s);
        return new Conv2dLayer(
            bounded(t[1], MAX_FILTERS, "conv2d filters"), bounded(t[2], MAX_WINDOW, "conv2d kernel"),
            bounded(t[3], MAX_WINDOW, "conv2d stride"), enumValue(Padding.class, t[4], s));
      case "maxpool":
        arity(t, 3, s);
        return new MaxPoolLayer(bounded(t[1], MAX_WINDOW, "maxpool size"), bounded(t[2], MAX_WINDOW, "maxpool stride"));
      case "flatten":
        arity(t, 1, s);
        return new FlattenLayer();
      case "dense":
        arity(t, 2, s);
        return new DenseLayer(bounded(t[1], MAX_UNITS, "dense units"));
      case "activation":
        arity(t, 2, s);
        return new ActivationLayer(enumValue(Activation.class, t[1], s));
      case "avgpool":
        arity(t, 3, s);
        return new AvgPoolLayer(bounded(t[1], MAX_WINDOW, "avgpool size"), bounded(t[2], MAX_WINDOW, "avgpool stride"));
      case "globalpool":
        arity(t, 2, s);
        return new GlobalPoolLayer(enumValue(GlobalPoolLayer.Pooling.class, t[1], s));
      case "batchnorm":
        arity(t, 3, s);
        return new BatchNormLayer(number(t[1], s), number(t[2], s));
      case "dropout":
        arity(t, 2, s);
        return new DropoutLayer(number(t[1], s));
      case "l2normalize":
        arity(t, 1, s);
        return new L2NormalizeLayer();
      case "residual":
        arity(t, 3, s);
        return new ResidualBlockLayer(bounded(t[1], MAX_FILTERS, "residual filters"), bounded(t[2], MAX_WINDOW, "residual stride"));
      case "resnet12block":
        arity(t, 2, s);
        return new ResNet12BlockLayer(bounded(t[1], MAX_FILTERS, "resnet12 block filters"));
      default:
        throw new IllegalArgumentException("unknown layer '" + s + "'");
    }
  }

  /** An integer in {@code [1, max]}, or an error naming {@code what} and the cap. */
  static int bounded(String text, int max, String what) {
    long v;
    try {
      v = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " '" + text + "' is not a whole number", e);
    }
    checkArgument(v >= 1 && v <= max, "%s is %s; it must be in [1, %s]", what, v, max);
    return (int) v;
  }

  private static double number(String text, String layer) {
    try {
      double v = Double.parseDouble(text);
      checkArgument(Double.isFinite(v), "'%s' holds %s", layer, text);
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + layer + "' holds '" + text + "', not a number", e);
    }
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String text, String layer) {
    try {
      return Enum.valueOf(type, text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + layer + "' holds '" + text + "', not a " + type.getSimpleName(), e);
    }
  }

  private static void arity(String[] t, int n, String s) {
    checkArgument(t.length == n, "bad %s '%s': expected %s words", t[0], s, n);
  }
}
