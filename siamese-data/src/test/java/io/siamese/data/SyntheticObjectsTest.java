package io.siamese.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticObjectsTest {
  @TempDir Path tmp;

  private static int[] pixels(BufferedImage img) {
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }

  /** Mean colour of an image, per channel. */
  private static double[] meanColour(BufferedImage img) {
    double[] m = new double[3];
    for (int p : pixels(img)) {
      m[0] += (p >> 16) & 255;
      m[1] += (p >> 8) & 255;
      m[2] += p & 255;
    }
    for (int c = 0; c < 3; c++) {
      m[c] /= img.getWidth() * img.getHeight();
    }
    return m;
  }

  private static double distance(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return Math.sqrt(s);
  }

  @Test
  void theSameSeedDrawsTheSamePixelsAndExamplesOfAClassShareItsColours() {
    SyntheticObjects a = SyntheticObjects.of(48, 11);
    assertArrayEquals(pixels(a.image(3, 4)), pixels(SyntheticObjects.of(48, 11).image(3, 4)));
    double within = 0;
    double between = 0;
    for (int c = 0; c < 10; c++) {
      within += distance(meanColour(a.image(c, 0)), meanColour(a.image(c, 1)));
      between += distance(meanColour(a.image(c, 0)), meanColour(a.image(c + 10, 0)));
    }
    assertTrue(within < 0.6 * between, "within " + within + ", between " + between);
  }

  @Test
  void foldersLoadBackAsOneClassPerFolder() throws Exception {
    SyntheticObjects.of(32, 2).writeFolders(tmp, 4, 3, true);
    LabeledDataset d = ImageFolderLoader.builder(ImageReader.of(ExampleShape.image(16, 16, 3))).build().load(tmp).dataset();
    assertEquals(12, d.size());
    assertEquals(4, d.classCount());
    assertEquals(SyntheticObjects.className(2), d.className(2));
  }
}
