package io.siamese.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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

  @Test
  void mirroredClassesAreNewClassesFlippedLeftToRight() {
    // 1 2 3        3 2 1
    // 4 5 6  -->   6 5 4
    float[] features = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    LabeledDataset data =
        LabeledDataset.builder(features, new int[] {0, 3}, ExampleShape.image(2, 3, 1)).groups(new int[] {0, 1}).build();
    LabeledDataset mirrored = OmniglotOneShot.withMirroredClasses(data);
    assertEquals(4, mirrored.size());
    assertEquals(4, mirrored.classCount());
    assertArrayEquals(data.features(1), mirrored.features(1));
    assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4}, mirrored.features(2));
    assertArrayEquals(new float[] {9, 8, 7, 12, 11, 10}, mirrored.features(3));
    assertEquals(mirrored.group(1), mirrored.group(3));
    assertNotEquals(mirrored.label(0), mirrored.label(2));
  }

  @Test
  void mirroringKeepsThePixelsOfEachChannelTogether() {
    // one row of two RGB pixels: (1,2,3) (4,5,6) --> (4,5,6) (1,2,3)
    LabeledDataset data = LabeledDataset.builder(new float[] {1, 2, 3, 4, 5, 6}, new int[] {0}, ExampleShape.image(1, 2, 3)).build();
    assertArrayEquals(new float[] {4, 5, 6, 1, 2, 3}, OmniglotOneShot.withMirroredClasses(data).features(1));
  }
}
