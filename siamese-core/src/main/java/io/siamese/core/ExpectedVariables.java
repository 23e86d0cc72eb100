package io.siamese.core;

import io.siamese.core.encoder.BatchNormLayer;
import io.siamese.core.encoder.Conv2dLayer;
import io.siamese.core.encoder.DenseLayer;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.encoder.LayerSpec;
import io.siamese.core.encoder.ResNet12BlockLayer;
import io.siamese.core.encoder.ResidualBlockLayer;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.data.ExampleShape;
import io.siamese.losses.KochPairHeadLoss;
import io.siamese.losses.LearnedParameterLoss;
import io.siamese.losses.LossParameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The names and shapes of a model's variables, worked out from its description in plain Java,
 * before any TensorFlow graph exists: what a load compares {@code weights.bin} against, so that a
 * description edited to ask for a huge layer is refused before anything is allocated. It mirrors
 * {@link EncoderGraph}'s names, the loss bindings' and {@link ScheduledOptimizers}' slots; a test
 * checks it against the graphs themselves.
 */
final class ExpectedVariables {
  private ExpectedVariables() {}

  /** Every variable of a trainable model, sorted by name. */
  static Map<String, long[]> of(EncoderSpec encoder, Object loss, OptimizerSpec optimizer) {
    Map<String, long[]> trainable = new LinkedHashMap<>();
    Map<String, long[]> all = new TreeMap<>(inference(encoder, loss, trainable));
    for (Map.Entry<String, long[]> v : trainable.entrySet()) {
      for (String slot : slots(optimizer)) {
        all.put(v.getKey() + "-" + slot, v.getValue());
      }
    }
    if (optimizer.kind() == OptimizerSpec.Kind.ADAM) {
      all.put("beta1_power", new long[0]);
      all.put("beta2_power", new long[0]);
    }
    if (loss instanceof LearnedParameterLoss l) {
      for (LossParameter p : l.parameters(encoder.embeddingSize())) {
        all.put("loss_" + p.name(), p.shape());
        for (String slot : slots(optimizer)) {
          all.put("loss_" + p.name() + "-" + slot, p.shape());
        }
      }
    }
    return all;
  }

  /** The variables inference reads: the encoder's (moving statistics included) and the Koch head's. */
  static Map<String, long[]> inference(EncoderSpec encoder, Object loss) {
    return inference(encoder, loss, new LinkedHashMap<>());
  }

  private static Map<String, long[]> inference(EncoderSpec encoder, Object loss, Map<String, long[]> trainable) {
    Map<String, long[]> vars = new TreeMap<>();
    ExampleShape in = encoder.inputShape();
    for (int i = 0; i < encoder.layers().size(); i++) {
      String prefix = "encoder_layer" + i + "_";
      for (Map.Entry<String, long[]> v : layer(encoder.layers().get(i), in).entrySet()) {
        vars.put(prefix + v.getKey(), v.getValue());
        if (!v.getKey().contains("moving_")) {
          trainable.put(prefix + v.getKey(), v.getValue());
        }
      }
      in = encoder.layerOutputShapes().get(i);
    }
    if (loss instanceof KochPairHeadLoss) {
      vars.put("head_alpha", new long[] {encoder.embeddingSize()});
      vars.put("head_bias", new long[0]);
      trainable.put("head_alpha", new long[] {encoder.embeddingSize()});
      trainable.put("head_bias", new long[0]);
    }
    return vars;
  }

  private static Map<String, long[]> layer(LayerSpec layer, ExampleShape in) {
    Map<String, long[]> v = new LinkedHashMap<>();
    if (layer instanceof Conv2dLayer c) {
      v.put("kernel", new long[] {c.kernel(), c.kernel(), in.channels(), c.filters()});
      v.put("bias", new long[] {c.filters()});
    } else if (layer instanceof DenseLayer d) {
      v.put("kernel", new long[] {in.size(), d.units()});
      v.put("bias", new long[] {d.units()});
    } else if (layer instanceof BatchNormLayer) {
      batchNorm(v, "", in.dim(in.rank() - 1));
    } else if (layer instanceof ResNet12BlockLayer r) {
      long f = r.filters();
      v.put("conv1", new long[] {3, 3, in.channels(), f});
      batchNorm(v, "bn1_", f);
      v.put("conv2", new long[] {3, 3, f, f});
      batchNorm(v, "bn2_", f);
      v.put("conv3", new long[] {3, 3, f, f});
      batchNorm(v, "bn3_", f);
      v.put("shortcut", new long[] {1, 1, in.channels(), f});
      batchNorm(v, "bn4_", f);
    } else if (layer instanceof ResidualBlockLayer r) {
      v.put("conv1", new long[] {3, 3, in.channels(), r.filters()});
      batchNorm(v, "bn1_", r.filters());
      v.put("conv2", new long[] {3, 3, r.filters(), r.filters()});
      batchNorm(v, "bn2_", r.filters());
      if (r.projects(in)) {
        v.put("shortcut", new long[] {1, 1, in.channels(), r.filters()});
        batchNorm(v, "bn3_", r.filters());
      }
    }
    return v;
  }

  private static void batchNorm(Map<String, long[]> v, String prefix, long channels) {
    for (String role : List.of("gamma", "beta", "moving_mean", "moving_variance")) {
      v.put(prefix + role, new long[] {channels});
    }
  }

  /** The optimizer's slots per trainable variable, as {@link ScheduledOptimizers} names them. */
  private static List<String> slots(OptimizerSpec optimizer) {
    return switch (optimizer.kind()) {
      case ADAM -> List.of("m", "v");
      case SGD -> new ArrayList<>();
      case MOMENTUM -> List.of("momentum");
      case RMSPROP -> List.of("rms", "momentum");
    };
  }
}
