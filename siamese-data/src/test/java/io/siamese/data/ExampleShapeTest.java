package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExampleShapeTest {

  @Test
  void imageShapeReportsItsDimensions() {
    ExampleShape shape = ExampleShape.image(28, 32, 3);
    assertTrue(shape.isImage());
    assertEquals(3, shape.rank());
    assertEquals(28, shape.height());
    assertEquals(32, shape.width());
    assertEquals(3, shape.channels());
    assertEquals(28 * 32 * 3, shape.size());
    assertEquals("28x32x3", shape.toString());
  }

  @Test
  void dimsIsACopy() {
    ExampleShape shape = ExampleShape.image(4, 5, 1);
    int[] dims = shape.dims();
    dims[0] = 99;
    assertArrayEquals(new int[] {4, 5, 1}, shape.dims());
  }

  @Test
  void vectorShapeIsNotAnImage() {
    ExampleShape shape = ExampleShape.vector(64);
    assertFalse(shape.isImage());
    assertEquals(64, shape.size());
    assertEquals("[64]", shape.toString());
    assertThrowsWithMessage(IllegalStateException.class, shape::height, "[64]", "vector");
  }

  @Test
  void equalityFollowsDimensions() {
    assertEquals(ExampleShape.image(28, 28, 1), ExampleShape.image(28, 28, 1));
    assertEquals(
        ExampleShape.image(28, 28, 1).hashCode(), ExampleShape.image(28, 28, 1).hashCode());
    assertNotEquals(ExampleShape.image(28, 28, 1), ExampleShape.image(28, 28, 3));
    assertNotEquals(ExampleShape.vector(784), ExampleShape.image(28, 28, 1));
  }

  @Test
  void rejectsNonPositiveDimensionsByName() {
    assertThrowsWithMessage(
        IllegalArgumentException.class, () -> ExampleShape.image(0, 28, 1), "height", "got 0");
    assertThrowsWithMessage(
        IllegalArgumentException.class, () -> ExampleShape.image(28, -2, 1), "width", "got -2");
    assertThrowsWithMessage(
        IllegalArgumentException.class, () -> ExampleShape.image(28, 28, 0), "channels", "got 0");
    assertThrowsWithMessage(
        IllegalArgumentException.class, () -> ExampleShape.vector(0), "vector length", "got 0");
    assertThrowsWithMessage(
        IllegalArgumentException.class, () -> ExampleShape.vector(8).dim(1), "index 1");
  }

  @Test
  void sizeBeyondOneArrayFails() {
    ExampleShape huge = ExampleShape.image(65536, 65536, 1);
    assertThrowsWithMessage(IllegalArgumentException.class, huge::size, "65536x65536x1");
  }
}
