package io.siamese.data;

/**
 * Antialiased pen-stroke rasteriser for {@link SyntheticGlyphs}, in plain Java arithmetic so that
 * the same strokes give bit-identical pixels on every JVM (only {@code + - * /} and {@link
 * Math#sqrt}, which IEEE 754 fixes exactly, touch pixel values).
 *
 * <p>A pixel's ink is the coverage of its centre by a round pen: {@code 1} within {@code width/2 -
 * 1/2} pixels of the stroke's centre line, falling linearly to {@code 0} at {@code width/2 + 1/2}.
 * Strokes combine by maximum, so crossings stay at most 1.
 */
final class GlyphRaster {
  /** Target length of the straight pieces a curve is cut into, in pixels: finer is invisible. */
  private static final double FLATTEN_STEP_PIXELS = 1.5;

  /** Upper bound on pieces per curve, whatever its length. */
  private static final int MAX_PIECES = 96;

  private GlyphRaster() {}

  /**
   * Draws one stroke into a {@code size x size} grayscale image stored row-major in {@code image}
   * from {@code offset}.
   *
   * @param controlPoints 2, 3 or 4 points as {@code x0, y0, x1, y1, ...} in pixel coordinates
   *     ({@code (0, 0)} is the top-left corner of the image, pixel centres sit at {@code +0.5}): a
   *     line, a quadratic or a cubic Bezier curve
   * @param width pen width in pixels, {@code > 0}
   */
  static void drawStroke(
      double[] controlPoints, double width, float[] image, int offset, int size) {
    int points = controlPoints.length / 2;
    double reach = width / 2 + 0.5;
    if (points == 2) {
      drawSegment(
          controlPoints[0],
          controlPoints[1],
          controlPoints[2],
          controlPoints[3],
          reach,
          image,
          offset,
          size);
      return;
    }
    double polygon = 0;
    for (int p = 1; p < points; p++) {
      double dx = controlPoints[2 * p] - controlPoints[2 * p - 2];
      double dy = controlPoints[2 * p + 1] - controlPoints[2 * p - 1];
      polygon += Math.sqrt(dx * dx + dy * dy);
    }
    // The control polygon is never shorter than the curve, so this step bound is safe.
    int pieces = (int) Math.min(MAX_PIECES, Math.max(2, Math.ceil(polygon / FLATTEN_STEP_PIXELS)));
    double px = controlPoints[0];
    double py = controlPoints[1];
    for (int i = 1; i <= pieces; i++) {
      double t = i / (double) pieces;
      double x = bezier(controlPoints, 0, points, t);
      double y = bezier(controlPoints, 1, points, t);
      drawSegment(px, py, x, y, reach, image, offset, size);
      px = x;
      py = y;
    }
  }

  /**
   * Coordinate {@code axis} (0 = x, 1 = y) at {@code t} in {@code [0, 1]} of the line, quadratic or
   * cubic Bezier curve through {@code points} control points {@code c}.
   */
  static double bezier(double[] c, int axis, int points, double t) {
    double u = 1 - t;
    if (points == 2) {
      return u * c[axis] + t * c[2 + axis];
    }
    if (points == 3) {
      return u * u * c[axis] + 2 * u * t * c[2 + axis] + t * t * c[4 + axis];
    }
    return u * u * u * c[axis]
        + 3 * u * u * t * c[2 + axis]
        + 3 * u * t * t * c[4 + axis]
        + t * t * t * c[6 + axis];
  }

  /** Inks the pixels whose centres lie within {@code reach} of segment {@code a-b}. */
  private static void drawSegment(
      double ax,
      double ay,
      double bx,
      double by,
      double reach,
      float[] image,
      int offset,
      int size) {
    int x0 = (int) Math.max(0, Math.floor(Math.min(ax, bx) - reach));
    int x1 = (int) Math.min(size - 1, Math.ceil(Math.max(ax, bx) + reach));
    int y0 = (int) Math.max(0, Math.floor(Math.min(ay, by) - reach));
    int y1 = (int) Math.min(size - 1, Math.ceil(Math.max(ay, by) + reach));
    double dx = bx - ax;
    double dy = by - ay;
    double length2 = dx * dx + dy * dy;
    double reach2 = reach * reach;
    for (int y = y0; y <= y1; y++) {
      double cy = y + 0.5;
      int row = offset + y * size;
      for (int x = x0; x <= x1; x++) {
        double cx = x + 0.5;
        double t = length2 > 0 ? ((cx - ax) * dx + (cy - ay) * dy) / length2 : 0;
        t = t < 0 ? 0 : (t > 1 ? 1 : t);
        double ex = cx - (ax + t * dx);
        double ey = cy - (ay + t * dy);
        double d2 = ex * ex + ey * ey;
        if (d2 >= reach2) {
          continue;
        }
        float coverage = (float) Math.min(1.0, reach - Math.sqrt(d2));
        if (coverage > image[row + x]) {
          image[row + x] = coverage;
        }
      }
    }
  }
}
