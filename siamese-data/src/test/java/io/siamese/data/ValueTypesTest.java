package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** PairBatch and Episode: validation and defensive copies. */
class ValueTypesTest {

  @Test
  void pairBatchCopiesAndCounts() {
    int[] left = {1, 2, 3};
    PairBatch batch = new PairBatch(left, new int[] {4, 5, 6}, new boolean[] {true, false, true});
    left[0] = 9;
    batch.leftIndices()[1] = 9;
    assertArrayEquals(new int[] {1, 2, 3}, batch.leftIndices());
    assertEquals(2, batch.positives());
    assertEquals(3, batch.size());
  }

  @Test
  void pairBatchRejectsEmptyAndRaggedArrays() {
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> new PairBatch(new int[0], new int[0], new boolean[0]),
        "at least one pair");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> new PairBatch(new int[2], new int[3], new boolean[2]),
        "2, 3 and 2");
  }

  @Test
  void episodeRejectsMismatchedLabels() {
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> new Episode(new int[2], new int[1], new int[1], new int[1]),
        "2 vs 1");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> new Episode(new int[1], new int[1], new int[0], new int[0]),
        "at least one query");
  }
}
