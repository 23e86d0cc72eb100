package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LabeledDatasetBytesTest {
  private static final ExampleShape RGB = ExampleShape.image(4, 3, 3);

  /** {@code n} examples of {@link #RGB}, random bytes; label {@code i % classes}. */
  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n * RGB.size()];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  private static int[] labels(int n, int classes) {
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      l[i] = i % classes;
    }
    return l;
  }

  /** The decoded values, written from the documented formula. */
  private static float[] decode(byte[] bytes, int channels, double[] scale, double[] offset) {
    float[] out = new float[bytes.length];
    for (int j = 0; j < bytes.length; j++) {
      int c = scale.length == 1 ? 0 : j % channels;
      out[j] = (float) ((bytes[j] & 0xff) / 255.0 * scale[c] + offset[c]);
    }
    return out;
  }

  private static void assertBitIdentical(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        throw new AssertionError(what + ": value " + i + " is " + actual[i] + ", expected " + expected[i]);
      }
    }
  }

  @Test
  void everyByteDecodesToItsValueOverTwoFiftyFive() {
    byte[] all = new byte[256];
    for (int u = 0; u < 256; u++) {
      all[u] = (byte) u;
    }
    LabeledDataset d = LabeledDataset.ofBytes(all, new int[] {0}, ExampleShape.vector(256));
    assertTrue(d.storesBytes());
    float[] f = d.features(0);
    for (int u = 0; u < 256; u++) {
      assertEquals((float) (u / 255.0), f[u]);
    }
    assertEquals(0f, f[0]);
    assertEquals(1f, f[255]);
    assertEquals(256, d.featureMemoryBytes());
  }

  @Test
  void gatheredBatchesAreBitIdenticalToTheEquivalentFloatDataset() {
    int n = 50;
    byte[] bytes = randomBytes(n, 1);
    int[] labels = labels(n, 7);
    double[] scale = {1 / 0.229, 1 / 0.224, 1 / 0.225};
    double[] offset = {-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225};
    LabeledDataset compact = LabeledDataset.ofBytes(bytes, labels, RGB, scale, offset);
    LabeledDataset floats = LabeledDataset.of(decode(bytes, 3, scale, offset), labels, RGB);
    assertFalse(floats.storesBytes());
    assertEquals(4 * compact.featureMemoryBytes(), floats.featureMemoryBytes());
    SplittableRandom rng = new SplittableRandom(2);
    for (int trial = 0; trial < 20; trial++) {
      int[] idx = rng.ints(1 + rng.nextInt(40), 0, n).toArray();
      float[] a = new float[3 + idx.length * RGB.size()];
      float[] b = new float[a.length];
      compact.gather(idx, a, 3);
      floats.gather(idx, b, 3);
      assertBitIdentical(b, a, "gather " + trial);
    }
    for (int i = 0; i < n; i++) {
      assertBitIdentical(floats.features(i), compact.features(i), "features " + i);
    }
    // One scale for all channels, and the plain u / 255 form.
    LabeledDataset one = LabeledDataset.ofBytes(bytes, labels, RGB, new double[] {2}, new double[] {-1});
    assertBitIdentical(
        decode(bytes, 3, new double[] {2}, new double[] {-1}), gatherAll(one), "one scale");
    assertBitIdentical(
        decode(bytes, 3, new double[] {1}, new double[] {0}),
        gatherAll(LabeledDataset.ofBytes(bytes, labels, RGB)),
        "u / 255");
  }

  private static float[] gatherAll(LabeledDataset d) {
    float[] out = new float[d.size() * d.featureSize()];
    d.gather(java.util.stream.IntStream.range(0, d.size()).toArray(), out);
    return out;
  }

  @Test
  void rowsSpanningSeveralChunksReadBack() {
    int n = 23;
    byte[] bytes = randomBytes(n, 3);
    float[] table = FeatureStore.affineTable(new double[] {1, 1, 1}, new double[] {0, 0, 0});
    // Chunks of 3 rows (3 * 36 bytes), so 8 chunks, the last one trimmed to 2 rows.
    FeatureStore.Writer w = new FeatureStore.Writer(RGB.size(), 4, table, 3, 3 * RGB.size() + 5);
    byte[] row = new byte[RGB.size()];
    for (int i = 0; i < n; i++) {
      System.arraycopy(bytes, i * RGB.size(), row, 0, row.length);
      w.add(row);
    }
    FeatureStore.Bytes store = w.finish();
    assertEquals((long) n * RGB.size(), store.memoryBytes());
    int[] labels = labels(n, 4);
    LabeledDataset chunked = LabeledDataset.owning(store, labels, RGB, null, Map.of(), Map.of());
    LabeledDataset plain = LabeledDataset.of(decode(bytes, 3, new double[] {1}, new double[] {0}), labels, RGB);
    assertBitIdentical(gatherAll(plain), gatherAll(chunked), "chunked");
    int[] order = {22, 0, 3, 2, 21, 21, 9};
    assertBitIdentical(gatherAll(plain.subset(order)), gatherAll(chunked.subset(order)), "subset");
    assertTrue(chunked.subset(order).storesBytes());
  }

  @Test
  void splitsAndSamplersWorkOnByteDatasets() {
    int n = 120;
    byte[] bytes = randomBytes(n, 4);
    int[] labels = labels(n, 12);
    int[] groups = new int[n];
    for (int i = 0; i < n; i++) {
      groups[i] = labels[i] % 3;
    }
    LabeledDataset compact = LabeledDataset.builder(bytes, labels, RGB).groups(groups).build();
    LabeledDataset floats =
        LabeledDataset.builder(decode(bytes, 3, new double[] {1}, new double[] {0}), labels, RGB)
            .groups(groups)
            .build();
    DatasetSplit a = Splits.byClass(compact, 4, 9);
    DatasetSplit b = Splits.byClass(floats, 4, 9);
    assertTrue(a.train().storesBytes() && a.test().storesBytes());
    assertBitIdentical(gatherAll(b.train()), gatherAll(a.train()), "train");
    assertBitIdentical(gatherAll(b.test()), gatherAll(a.test()), "test");
    DatasetSplit ga = Splits.byGroup(compact, 1, 5);
    DatasetSplit gb = Splits.byGroup(floats, 1, 5);
    assertBitIdentical(gatherAll(gb.test()), gatherAll(ga.test()), "group split");

    PkBatch pa = PkBatchSampler.builder(compact).classesPerBatch(4).examplesPerClass(3).seed(1).build().next();
    PkBatch pb = PkBatchSampler.builder(floats).classesPerBatch(4).examplesPerClass(3).seed(1).build().next();
    assertArrayEquals(pb.indices(), pa.indices());
    float[] fa = new float[pa.indices().length * RGB.size()];
    float[] fb = new float[fa.length];
    compact.gather(pa.indices(), fa);
    floats.gather(pb.indices(), fb);
    assertBitIdentical(fb, fa, "P x K batch");
    PairBatch pairs = BalancedPairSampler.of(compact, 3).next(16);
    float[] left = new float[16 * RGB.size()];
    float[] expected = new float[left.length];
    compact.gather(pairs.leftIndices(), left);
    floats.gather(pairs.leftIndices(), expected);
    assertBitIdentical(expected, left, "pairs");
  }

  @Test
  void builderOfBytesTakesScaleGroupsAndNames() {
    byte[] bytes = {0, (byte) 255, 51, 102};
    LabeledDataset d =
        LabeledDataset.builder(bytes, new int[] {0, 1}, ExampleShape.vector(2))
            .byteScale(new double[] {10}, new double[] {-5})
            .groups(new int[] {0, 1})
            .classNames(Map.of(0, "cat", 1, "dog"))
            .groupNames(Map.of(0, "pets", 1, "others"))
            .build();
    assertArrayEquals(new float[] {-5, 5}, d.features(0));
    assertArrayEquals(new float[] {(float) (0.2 * 10 - 5), (float) (0.4 * 10 - 5)}, d.features(1));
    assertEquals("LabeledDataset[2 examples of [2], 2 classes, 2 groups, bytes]", d.toString());
    assertEquals(1, d.classNamed("dog"));
    assertEquals(0, d.groupNamed("pets"));
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> d.groupNamed("Latin"),
        "no group is called \"Latin\"; the group names are pets, others");
    assertThrowsWithMessage(
        IllegalStateException.class,
        () -> LabeledDataset.builder(new float[] {1}, new int[] {0}, ExampleShape.vector(1)).byteScale(new double[] {1}, new double[] {0}),
        "byteScale applies to byte storage");
    assertThrowsWithMessage(
        IllegalStateException.class,
        () -> LabeledDataset.of(new float[] {1}, new int[] {0}, ExampleShape.vector(1)).classNamed("x"),
        "has no class names");
  }

  @Test
  void badByteDatasetsAreRefused() {
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.ofBytes(new byte[5], new int[] {0, 1}, ExampleShape.vector(2)),
        "features must hold labels.length * shape.size() = 2 * 2 = 4 bytes, got 5");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.ofBytes(new byte[2], new int[] {0}, ExampleShape.vector(2), new double[] {Double.NaN}, new double[] {0}),
        "scale[0] must be finite, got NaN");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.ofBytes(new byte[2], new int[] {0}, ExampleShape.vector(2), new double[] {1e300}, new double[] {0}),
        "decodes to Infinity");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.ofBytes(new byte[36], new int[] {0}, RGB, new double[] {1, 1}, new double[] {0, 0}),
        "scale must hold 1 value or one per channel of an image shape, got 2 for shape 4x3x3");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.ofBytes(new byte[2], new int[] {-1}, ExampleShape.vector(2)),
        "label of example 0 must be >= 0, got -1");
  }
}
