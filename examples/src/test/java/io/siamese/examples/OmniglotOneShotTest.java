package io.siamese.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import org.junit.jupiter.api.Test;

class OmniglotOneShotTest {

  @Test
  void aQuarterTurnIsClockwiseAndFourAreTheIdentity() {
    // 1 2 3        7 4 1
    // 4 5 6  -->   8 5 2
    // 7 8 9        9 6 3
    float[] image = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    assertArrayEquals(new float[] {7, 4, 1, 8, 5, 2, 9, 6, 3}, OmniglotOneShot.rotate90(image, 3));
    float[] back = image;
    for (int i = 0; i < 4; i++) {
      back = OmniglotOneShot.rotate90(back, 3);
    }
    assertArrayEquals(image, back);
  }

  @Test
  void rotatedClassesAreNewClassesInTheSameAlphabet() {
    float[] features = new float[4 * 4];
    features[1] = 1;
    LabeledDataset data =
        LabeledDataset.builder(features, new int[] {0, 0, 5, 5}, ExampleShape.image(2, 2, 1)).groups(new int[] {0, 0, 1, 1}).build();
    LabeledDataset rotated = OmniglotOneShot.withRotatedClasses(data);
    assertEquals(16, rotated.size());
    assertEquals(8, rotated.classCount());
    assertEquals(2, rotated.groupCount());
    // Example 0 turned once (index 4 + 0): its ink at (0, 1) moves to (1, 1).
    assertArrayEquals(new float[] {0, 0, 0, 1}, rotated.features(4));
    assertEquals(rotated.group(2), rotated.group(2 + 4));
  }
}
