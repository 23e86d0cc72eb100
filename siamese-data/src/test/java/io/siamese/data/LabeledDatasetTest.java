package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LabeledDatasetTest {
  private static final ExampleShape PAIR = ExampleShape.vector(2);

  /** Five examples of 2 floats, example i holding (i, 10 + i), labels 3 3 1 3 7. */
  private static LabeledDataset five() {
    float[] f = new float[10];
    for (int i = 0; i < 5; i++) {
      f[2 * i] = i;
      f[2 * i + 1] = 10 + i;
    }
    return LabeledDataset.of(f, new int[] {3, 3, 1, 3, 7}, PAIR);
  }

  @Test
  void indexesClassesAndExamples() {
    LabeledDataset d = five();
    assertEquals(5, d.size());
    assertEquals(2, d.featureSize());
    assertArrayEquals(new int[] {1, 3, 7}, d.classes());
    assertEquals(3, d.classCount());
    assertArrayEquals(new int[] {0, 1, 3}, d.indicesOfClass(3));
    assertEquals(3, d.countOfClass(3));
    assertEquals(0, d.countOfClass(2));
    assertArrayEquals(new float[] {4, 14}, d.features(4));
    assertEquals(7, d.label(4));
  }

  @Test
  void copiesInputsAndOutputs() {
    float[] f = {1, 2, 3, 4};
    int[] labels = {0, 1};
    LabeledDataset d = LabeledDataset.of(f, labels, PAIR);
    f[0] = 99;
    labels[0] = 5;
    d.labels()[1] = 42;
    d.features(0)[1] = 42;
    d.indicesOfClass(1)[0] = 42;
    assertArrayEquals(new float[] {1, 2}, d.features(0));
    assertArrayEquals(new int[] {0, 1}, d.labels());
    assertArrayEquals(new int[] {1}, d.indicesOfClass(1));
  }

  @Test
  void rejectsEmptyDataset() {
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.of(new float[0], new int[0], PAIR),
        "at least one example",
        "got 0");
  }

  @Test
  void rejectsMismatchedLengths() {
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.of(new float[5], new int[] {0, 1}, PAIR),
        "2 * 2 = 4",
        "got 5");
  }

  @Test
  void rejectsNaNAndInfinityNamingTheExample() {
    float[] f = {0, 0, 0, Float.NaN};
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.of(f, new int[] {0, 1}, PAIR),
        "feature 1 of example 1",
        "NaN");
    float[] g = {Float.NEGATIVE_INFINITY, 0, 0, 0};
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.of(g, new int[] {0, 1}, PAIR),
        "example 0",
        "Infinity");
  }

  @Test
  void rejectsNegativeLabelNamingTheExample() {
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.of(new float[6], new int[] {0, 2, -4}, PAIR),
        "example 2",
        "got -4");
  }

  @Test
  void rejectsNullsByName() {
    assertThrowsWithMessage(
        NullPointerException.class, () -> LabeledDataset.of(null, new int[] {0}, PAIR), "features");
    assertThrowsWithMessage(
        NullPointerException.class, () -> LabeledDataset.of(new float[2], null, PAIR), "labels");
    assertThrowsWithMessage(
        NullPointerException.class,
        () -> LabeledDataset.of(new float[2], new int[] {0}, null),
        "shape");
  }

  @Test
  void indicesOfAbsentClassFails() {
    assertThrowsWithMessage(
        IllegalArgumentException.class, () -> five().indicesOfClass(2), "label 2");
  }

  @Test
  void gatherCopiesRowsInOrderFromAnOffset() {
    LabeledDataset d = five();
    float[] buffer = new float[7];
    buffer[0] = -1;
    d.gather(new int[] {4, 0, 4}, buffer, 1);
    assertArrayEquals(new float[] {-1, 4, 14, 0, 10, 4, 14}, buffer);
  }

  @Test
  void gatherChecksBoundsAndBufferSize() {
    LabeledDataset d = five();
    assertThrows(IndexOutOfBoundsException.class, () -> d.gather(new int[] {5}, new float[2]));
    assertThrows(IndexOutOfBoundsException.class, () -> d.gather(new int[] {-1}, new float[2]));
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> d.gather(new int[] {0, 1}, new float[3]),
        "holds 3 floats",
        "need 4");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> d.gather(new int[] {0}, new float[4], -1),
        "offset",
        "got -1");
    assertThrows(IndexOutOfBoundsException.class, () -> d.features(5));
    assertThrows(IndexOutOfBoundsException.class, () -> d.label(-1));
  }

  @Test
  void subsetKeepsOrderLabelsAndRepeats() {
    LabeledDataset d = five().subset(new int[] {4, 2, 4});
    assertEquals(3, d.size());
    assertArrayEquals(new int[] {7, 1, 7}, d.labels());
    assertArrayEquals(new float[] {2, 12}, d.features(1));
    assertArrayEquals(new int[] {0, 2}, d.indicesOfClass(7));
    assertEquals(PAIR, d.shape());
  }

  @Test
  void subsetRejectsEmptyAndOutOfRange() {
    assertThrowsWithMessage(
        IllegalArgumentException.class, () -> five().subset(new int[0]), "at least one index");
    assertThrows(IndexOutOfBoundsException.class, () -> five().subset(new int[] {0, 9}));
  }
}
