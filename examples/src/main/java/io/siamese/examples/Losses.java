package io.siamese.examples;

import io.siamese.core.SiameseModel;
import io.siamese.core.SiameseModelBuilder;
import io.siamese.losses.ArcFaceLoss;
import io.siamese.losses.BatchAllTripletLoss;
import io.siamese.losses.BatchHardTripletLoss;
import io.siamese.losses.ContrastiveLoss;
import io.siamese.losses.CosFaceLoss;
import io.siamese.losses.MultiSimilarityLoss;
import io.siamese.losses.NormalizedSoftmaxLoss;
import io.siamese.losses.ProxyAnchorLoss;
import io.siamese.losses.SemiHardTripletLoss;
import io.siamese.losses.SubCenterArcFaceLoss;
import java.util.List;

/**
 * The losses the examples offer by name, built from the command line's {@code --margin} and {@code
 * --scale}: the pair and mining losses, and the losses with a learned weight vector (or proxy) per
 * training class, which train on {@link io.siamese.data.ClassBatchSampler} batches.
 *
 * <p>Units follow pytorch-metric-learning: ArcFace's margins are in degrees (28.6 unless set),
 * CosFace's in cosine (0.35), Proxy-Anchor's {@code delta} in cosine (0.1). {@code --scale} is the
 * logit scale of ArcFace and CosFace (64), {@code 1 / temperature} of the normalised softmax (20,
 * i.e. temperature 0.05) and {@code alpha} of Proxy-Anchor (32).
 */
final class Losses {
  /** Every name, in the order the usage lists them. */
  static final List<String> NAMES = List.of("batch-hard", "contrastive", "semi-hard", "batch-all", "multi-similarity",
      "arcface", "cosface", "subcenter-arcface", "normalized-softmax", "proxy-anchor");

  private static final List<String> LEARNED = NAMES.subList(5, NAMES.size());

  private Losses() {}

  static String checkName(String name) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("--loss must be one of " + NAMES + ", got " + name);
    }
    return name;
  }

  /** Whether {@code loss} owns a weight vector or proxy per training class. */
  static boolean learnsClassWeights(String loss) {
    return LEARNED.contains(loss);
  }

  /** Whether {@code loss} trains on P x K batches (it mines pairs or triplets in them). */
  static boolean minesBatches(String loss) {
    return !loss.equals("contrastive") && !learnsClassWeights(loss);
  }

  /** Checks {@code --margin} and {@code --scale} against the loss, before any data is loaded. */
  static void checkSettings(String loss, String margin, double scale) {
    if ("soft".equals(margin) && !loss.equals("batch-hard")) {
      throw new IllegalArgumentException("--margin soft is for the batch-hard loss only");
    }
    if (margin != null && !margin.equals("soft")) {
      Double.parseDouble(margin);
    }
    if (!Double.isNaN(scale) && !learnsClassWeights(loss)) {
      throw new IllegalArgumentException("--scale is for the losses with class weights " + LEARNED + ", not " + loss);
    }
  }

  /**
   * Sets {@code loss} on the builder.
   *
   * @param margin the {@code --margin} text, or null for the loss's default
   * @param scale {@code --scale}, or NaN for the loss's default
   * @param classes the training classes, for the losses with class weights
   */
  static void apply(SiameseModelBuilder builder, String loss, String margin, double scale, int classes) {
    boolean hasMargin = margin != null && !margin.equals("soft");
    double m = hasMargin ? Double.parseDouble(margin) : Double.NaN;
    boolean hasScale = !Double.isNaN(scale);
    switch (loss) {
      case "contrastive" -> builder.loss(ContrastiveLoss.similarIsOne(hasMargin ? m : 1.0));
      case "batch-hard" -> builder.loss(hasMargin ? BatchHardTripletLoss.builder().margin(m).build() : BatchHardTripletLoss.softMargin());
      case "semi-hard" -> builder.loss(SemiHardTripletLoss.builder().margin(hasMargin ? m : 1.0).build());
      case "batch-all" -> builder.loss(BatchAllTripletLoss.builder().margin(hasMargin ? m : 1.0).build());
      case "multi-similarity" -> builder.loss(MultiSimilarityLoss.create());
      case "arcface" -> {
        ArcFaceLoss.Builder b = ArcFaceLoss.builder(classes);
        if (hasMargin) {
          b.marginDegrees(m);
        }
        if (hasScale) {
          b.scale(scale);
        }
        builder.loss(b.build());
      }
      case "subcenter-arcface" -> {
        SubCenterArcFaceLoss.Builder b = SubCenterArcFaceLoss.builder(classes);
        if (hasMargin) {
          b.marginDegrees(m);
        }
        if (hasScale) {
          b.scale(scale);
        }
        builder.loss(b.build());
      }
      case "cosface" -> {
        CosFaceLoss.Builder b = CosFaceLoss.builder(classes);
        if (hasMargin) {
          b.margin(m);
        }
        if (hasScale) {
          b.scale(scale);
        }
        builder.loss(b.build());
      }
      case "normalized-softmax" -> {
        if (hasMargin) {
          throw new IllegalArgumentException("the normalised softmax has no margin; --scale sets 1 / temperature");
        }
        NormalizedSoftmaxLoss.Builder b = NormalizedSoftmaxLoss.builder(classes);
        if (hasScale) {
          b.temperature(1 / scale);
        }
        builder.loss(b.build());
      }
      case "proxy-anchor" -> {
        ProxyAnchorLoss.Builder b = ProxyAnchorLoss.builder(classes);
        if (hasMargin) {
          b.margin(m);
        }
        if (hasScale) {
          b.alpha(scale);
        }
        builder.loss(b.build());
      }
      default -> throw new IllegalStateException("unknown loss " + loss);
    }
  }
}
