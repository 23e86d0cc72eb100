package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Seeded generator of coloured, textured synthetic objects, for colour examples and tests where no
 * colour dataset is at hand: each class is an outline (a polygon, a star, an ellipse or a rounded
 * blob), two colours and a texture (stripes, dots, checks, a gradient or none) on a background of
 * its own tint; each example of a class is that object moved, scaled, rotated, its colours and
 * lighting jittered, on a noisy background. Telling classes apart needs shape, colour and texture
 * together, so an encoder that reads only grayscale loses information.
 *
 * <p>{@link #image(int, int)} draws one example; {@link #writeFolders} writes a whole dataset as
 * {@code root/CLASS/NNN.png} (or {@code .jpg}), the layout {@link ImageFolderLoader} reads.
 * Deterministic: class {@code c} depends only on {@code (seed, c)}, its example {@code e} on
 * {@code (seed, c, e)}, on every machine. Immutable and thread-safe.
 */
public final class SyntheticObjects {
  private final int size;
  private final long seed;

  private SyntheticObjects(int size, long seed) {
    this.size = size;
    this.seed = seed;
  }

  /**
   * @param size image side in pixels, 16 to 1024
   * @param seed the dataset's seed
   */
  public static SyntheticObjects of(int size, long seed) {
    checkArgument(size >= 16 && size <= 1024, "size must be in [16, 1024], got %s", size);
    return new SyntheticObjects(size, seed);
  }

  /** Image side in pixels. */
  public int size() {
    return size;
  }

  /** The class's name as its folder: {@code class-0007}. */
  public static String className(int classIndex) {
    return String.format(Locale.ROOT, "class-%04d", classIndex);
  }

  /** Example {@code example} of class {@code classIndex}: an RGB image of {@code size x size}. */
  public BufferedImage image(int classIndex, int example) {
    checkArgument(classIndex >= 0 && example >= 0, "class and example must be >= 0, got %s and %s", classIndex, example);
    SplittableRandom cls = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + classIndex * 0xC2B2AE3D27D4EB4FL);
    SplittableRandom ex = new SplittableRandom(cls.nextLong() + example * 0x165667B19E3779F9L);
    int outline = cls.nextInt(4);
    int sides = 3 + cls.nextInt(5);
    int texture = cls.nextInt(5);
    float hue = (float) cls.nextDouble();
    float hue2 = (float) ((hue + 0.25 + cls.nextDouble() * 0.5) % 1.0);
    float backgroundHue = (float) cls.nextDouble();
    double aspect = 0.6 + cls.nextDouble() * 0.4;
    double[] radii = new double[2 * sides];
    for (int i = 0; i < radii.length; i++) {
      radii[i] = 0.6 + cls.nextDouble() * 0.4;
    }

    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      float light = (float) (0.9 + ex.nextDouble() * 0.2);
      g.setColor(Color.getHSBColor(backgroundHue, 0.15f, clamp(0.8f * light)));
      g.fillRect(0, 0, size, size);
      for (int i = 0; i < size * size / 40; i++) {
        float v = clamp((float) (0.6 + ex.nextDouble() * 0.4) * light);
        g.setColor(Color.getHSBColor(backgroundHue, 0.2f, v));
        g.fillRect(ex.nextInt(size), ex.nextInt(size), 1 + ex.nextInt(2), 1 + ex.nextInt(2));
      }
      double scale = size * (0.28 + ex.nextDouble() * 0.1);
      AffineTransform at = new AffineTransform();
      at.translate(size / 2.0 + (ex.nextDouble() - 0.5) * size * 0.15, size / 2.0 + (ex.nextDouble() - 0.5) * size * 0.15);
      at.rotate(ex.nextDouble() * 2 * Math.PI);
      at.scale(scale, scale * aspect);
      Shape body = at.createTransformedShape(outline(outline, sides, radii));
      float jitter = (float) ((ex.nextDouble() - 0.5) * 0.06);
      Color main = Color.getHSBColor((hue + jitter + 1) % 1, 0.75f, clamp(0.85f * light));
      Color second = Color.getHSBColor((hue2 + jitter + 1) % 1, 0.8f, clamp(0.7f * light));
      g.setColor(main);
      g.fill(body);
      g.setClip(body);
      paintTexture(g, texture, second, main, at, ex);
      g.setClip(null);
      g.setColor(second.darker());
      g.setStroke(new BasicStroke(Math.max(1f, size / 48f)));
      g.draw(body);
    } finally {
      g.dispose();
    }
    return img;
  }

  private static Shape outline(int kind, int sides, double[] radii) {
    return switch (kind) {
      case 0 -> polygon(sides, radii, false);
      case 1 -> polygon(sides, radii, true);
      case 2 -> new Ellipse2D.Double(-1, -1, 2, 2);
      default -> blob(radii);
    };
  }

  private static Shape polygon(int sides, double[] radii, boolean star) {
    Path2D.Double p = new Path2D.Double();
    int points = star ? 2 * sides : sides;
    for (int i = 0; i < points; i++) {
      double a = 2 * Math.PI * i / points;
      double r = star && i % 2 == 1 ? 0.45 * radii[i] : radii[i % radii.length];
      if (i == 0) {
        p.moveTo(r * Math.cos(a), r * Math.sin(a));
      } else {
        p.lineTo(r * Math.cos(a), r * Math.sin(a));
      }
    }
    p.closePath();
    return p;
  }

  private static Shape blob(double[] radii) {
    Path2D.Double p = new Path2D.Double();
    int n = radii.length;
    for (int i = 0; i <= n; i++) {
      double a = 2 * Math.PI * i / n;
      double r = radii[i % n];
      double x = r * Math.cos(a);
      double y = r * Math.sin(a);
      if (i == 0) {
        p.moveTo(x, y);
      } else {
        double m = 2 * Math.PI * (i - 0.5) / n;
        double rm = (radii[(i - 1) % n] + r) / 2 * 1.15;
        p.quadTo(rm * Math.cos(m), rm * Math.sin(m), x, y);
      }
    }
    p.closePath();
    return p;
  }

  /** Stripes, dots, checks, a gradient, or nothing, in the object's own frame (so they turn with it). */
  private void paintTexture(Graphics2D g, int texture, Color ink, Color base, AffineTransform at, SplittableRandom ex) {
    Graphics2D t = (Graphics2D) g.create();
    try {
      t.transform(at);
      t.setColor(ink);
      switch (texture) {
        case 0 -> {
          for (double x = -1.2; x < 1.2; x += 0.3) {
            t.fill(new Rectangle2D.Double(x, -1.2, 0.12, 2.4));
          }
        }
        case 1 -> {
          for (double x = -1; x <= 1; x += 0.4) {
            for (double y = -1; y <= 1; y += 0.4) {
              t.fill(new Ellipse2D.Double(x - 0.08, y - 0.08, 0.16, 0.16));
            }
          }
        }
        case 2 -> {
          for (int i = -3; i < 3; i++) {
            for (int j = -3; j < 3; j++) {
              if (((i + j) & 1) == 0) {
                t.fill(new Rectangle2D.Double(i * 0.4, j * 0.4, 0.4, 0.4));
              }
            }
          }
        }
        case 3 -> {
          t.setPaint(new java.awt.GradientPaint(-1f, -1f, base, 1f, 1f, ink));
          t.fill(new Rectangle2D.Double(-1.5, -1.5, 3, 3));
        }
        default -> {
          // plain
        }
      }
    } finally {
      t.dispose();
    }
  }

  private static float clamp(float v) {
    return Math.max(0f, Math.min(1f, v));
  }

  /**
   * Writes {@code classes} classes of {@code examplesPerClass} images each as {@code
   * root/class-CCCC/EEE.png} ({@code .jpg} when {@code jpeg}), creating the folders.
   *
   * @throws IOException if a file cannot be written
   */
  public void writeFolders(Path root, int classes, int examplesPerClass, boolean jpeg) throws IOException {
    checkNotNull(root, "root");
    checkArgument(classes >= 1 && examplesPerClass >= 1, "classes and examples per class must be >= 1, got %s and %s", classes, examplesPerClass);
    String format = jpeg ? "jpg" : "png";
    for (int c = 0; c < classes; c++) {
      Path dir = Files.createDirectories(root.resolve(className(c)));
      for (int e = 0; e < examplesPerClass; e++) {
        Path file = dir.resolve(String.format(Locale.ROOT, "%03d.%s", e, format));
        if (!ImageIO.write(image(c, e), format, file.toFile())) {
          throw new IOException("no ImageIO writer for " + format);
        }
      }
    }
  }
}
