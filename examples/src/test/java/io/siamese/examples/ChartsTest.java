package io.siamese.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.evaluation.PairMetrics;
import io.siamese.core.train.EpochResult;
import io.siamese.core.train.TrainingHistory;
import io.siamese.data.ExampleShape;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {
  @TempDir Path tmp;

  @Test
  void everyPictureIsAReadablePngWithContent() throws Exception {
    PairMetrics m = PairMetrics.of(new double[] {0.1, 0.2, 0.5, 0.7, 0.9}, new boolean[] {true, true, false, true, false});
    TrainingHistory h =
        new TrainingHistory(
            List.of(new EpochResult(1, 2, 0.5, Optional.of(m), 1), new EpochResult(2, 2, 0.3, Optional.of(m), 2)), 2, false);
    ExampleShape shape = ExampleShape.image(8, 8, 1);
    float[] img = new float[64];
    img[9] = 1;
    Charts.trainingCurve(h, "unseen classes", tmp.resolve("a.png"));
    Charts.rocCurve(m, m.bestThreshold(), "best accuracy", tmp.resolve("b.png"));
    Charts.oneShotEpisode(img, new float[][] {img, img, img}, new double[] {0.2, 0.5, 0.9}, 0, 1, shape, tmp.resolve("c.png"));
    Charts.embeddingProjection(
        new float[][] {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {1, 1, 1}}, new int[] {0, 0, 1, 1}, l -> "shirt " + l, "t",
        tmp.resolve("d.png"));
    for (String f : List.of("a.png", "b.png", "c.png", "d.png")) {
      BufferedImage png = ImageIO.read(tmp.resolve(f).toFile());
      assertEquals(900, png.getWidth(), f);
      assertEquals(600, png.getHeight(), f);
      assertTrue(countNonWhite(png) > 1000, f + " is blank");
    }
    // The episode's pick is drawn in pure red.
    assertTrue(countColour(ImageIO.read(tmp.resolve("c.png").toFile()), 0xFF0000) > 100);
  }

  @Test
  void pcaFindsTheAxisOfGreatestSpreadFirst() {
    // Points spread along (1, 1, 0) by +-3 and along (0, 0, 1) by +-1.
    float[][] rows = new float[40][];
    for (int i = 0; i < 40; i++) {
      double a = (i % 20 - 9.5) / 9.5 * 3;
      double b = i < 20 ? 1 : -1;
      rows[i] = new float[] {(float) (a / Math.sqrt(2)), (float) (a / Math.sqrt(2)), (float) b};
    }
    double[][] xy = Pca.project2d(rows);
    double v0 = 0;
    double v1 = 0;
    for (int i = 0; i < 40; i++) {
      assertEquals(Math.abs((i % 20 - 9.5) / 9.5 * 3), Math.abs(xy[i][0]), 1e-4);
      assertEquals(1.0, Math.abs(xy[i][1]), 1e-4);
      v0 += xy[i][0] * xy[i][0];
      v1 += xy[i][1] * xy[i][1];
    }
    assertTrue(v0 > v1);
  }

  private static int countNonWhite(BufferedImage png) {
    int n = 0;
    for (int y = 0; y < png.getHeight(); y++) {
      for (int x = 0; x < png.getWidth(); x++) {
        if ((png.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
          n++;
        }
      }
    }
    return n;
  }

  private static int countColour(BufferedImage png, int rgb) {
    int n = 0;
    for (int y = 0; y < png.getHeight(); y++) {
      for (int x = 0; x < png.getWidth(); x++) {
        if ((png.getRGB(x, y) & 0xFFFFFF) == rgb) {
          n++;
        }
      }
    }
    return n;
  }
}
