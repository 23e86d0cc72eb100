package io.siamese.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Small datasets for sampler and split tests. */
final class TestData {
  private TestData() {}

  /**
   * A dataset of 1-float examples whose feature is the example's own index, so a subset reveals
   * which original examples it holds and in what order. Class {@code c} has {@code sizes[c]}
   * examples and label {@code 3 * c + 2} (not {@code 0 .. n-1}, to catch relabelling), and the
   * classes are interleaved in an order fixed by {@code shuffleSeed}.
   */
  static LabeledDataset indexed(int[] sizes, long shuffleSeed) {
    int total = 0;
    for (int s : sizes) {
      total += s;
    }
    int[] labels = new int[total];
    int k = 0;
    for (int c = 0; c < sizes.length; c++) {
      for (int e = 0; e < sizes[c]; e++) {
        labels[k++] = labelOf(c);
      }
    }
    SplittableRandom rng = new SplittableRandom(shuffleSeed);
    for (int i = total - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = labels[i];
      labels[i] = labels[j];
      labels[j] = t;
    }
    float[] features = new float[total];
    for (int i = 0; i < total; i++) {
      features[i] = i;
    }
    return LabeledDataset.of(features, labels, ExampleShape.vector(1));
  }

  /** {@code classes} classes of {@code perClass} examples each. */
  static LabeledDataset uniform(int classes, int perClass) {
    int[] sizes = new int[classes];
    Arrays.fill(sizes, perClass);
    return indexed(sizes, 1);
  }

  /** The label {@link #indexed} gives class {@code c}. */
  static int labelOf(int c) {
    return 3 * c + 2;
  }

  /** The original index of example {@code i} of a dataset made by {@link #indexed}. */
  static int originalIndex(LabeledDataset d, int i) {
    return (int) d.features(i)[0];
  }
}
