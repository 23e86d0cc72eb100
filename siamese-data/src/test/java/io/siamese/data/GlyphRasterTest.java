package io.siamese.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GlyphRasterTest {
  private static final int SIZE = 16;

  private static float[] draw(double[] points, double width) {
    float[] image = new float[SIZE * SIZE];
    GlyphRaster.drawStroke(points, width, image, 0, SIZE);
    return image;
  }

  @Test
  void horizontalLineThroughPixelCentresInksItsRowOnly() {
    // Row 8's pixel centres lie at y = 8.5; a 1-pixel pen covers them fully and nothing else.
    float[] image = draw(new double[] {3.5, 8.5, 12.5, 8.5}, 1.0);
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        float v = image[y * SIZE + x];
        boolean onLine = y == 8 && x >= 3 && x <= 12;
        assertEquals(onLine ? 1f : 0f, v, 1e-6f, "pixel " + x + "," + y);
      }
    }
  }

  @Test
  void lineBetweenRowsSharesInkAntialiased() {
    // Centred on the boundary between rows 7 and 8: both half-covered by a 1-pixel pen.
    float[] image = draw(new double[] {2, 8, 14, 8}, 1.0);
    assertEquals(0.5f, image[7 * SIZE + 8], 1e-6f);
    assertEquals(0.5f, image[8 * SIZE + 8], 1e-6f);
    assertEquals(0f, image[6 * SIZE + 8]);
  }

  @Test
  void widerPenInksMore() {
    double[] curve = {2, 2, 14, 4, 3, 13};
    assertTrue(sum(draw(curve, 3.0)) > 1.5 * sum(draw(curve, 1.0)));
  }

  @Test
  void curveEndsAtItsLastControlPointAndStaysInUnitRange() {
    float[] image = draw(new double[] {2.5, 2.5, 13.5, 2.5, 13.5, 13.5, 2.5, 13.5}, 1.5);
    assertEquals(1f, image[2 * SIZE + 2]);
    assertEquals(1f, image[13 * SIZE + 2]);
    for (float v : image) {
      assertTrue(v >= 0 && v <= 1, "pixel " + v);
    }
  }

  @Test
  void strokesOutsideTheImageAreClipped() {
    float[] image = draw(new double[] {-20, -5, 40, -5}, 2.0);
    assertEquals(0.0, sum(image));
    float[] partly = draw(new double[] {-20, 5.5, 40, 5.5}, 1.0);
    assertEquals(SIZE, sum(partly), 1e-4);
  }

  private static double sum(float[] image) {
    double s = 0;
    for (float v : image) {
      s += v;
    }
    return s;
  }
}
