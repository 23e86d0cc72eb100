package io.siamese.data;

import java.util.Arrays;

/** Resizing for {@link ImageReader}: separable weights applied to rows as they are converted. */
final class Resampling {
  private Resampling() {}

  /**
   * Separable resampling, row by row: each source row is resampled across into {@code tw} columns,
   * then added with its weight into every target row it contributes to. The sums run in the same
   * order as {@link Images#resizeArea}'s, so area resizing is bit-identical to it.
   */
  static void resample(
      PixelRows src,
      int sh,
      int sw,
      int c,
      ImageReader.Resize resize,
      float[] dst,
      int offset,
      int th,
      int tw) {
    float[] row = new float[sw * c];
    if (sh == th && sw == tw) {
      for (int y = 0; y < sh; y++) {
        src.row(y, row);
        System.arraycopy(row, 0, dst, offset + y * sw * c, sw * c);
      }
      return;
    }
    Images.AxisWeights cols =
        resize == ImageReader.Resize.AREA ? Images.AxisWeights.of(sw, tw) : Images.AxisWeights.bilinear(sw, tw);
    Images.AxisWeights down =
        resize == ImageReader.Resize.AREA ? Images.AxisWeights.of(sh, th) : Images.AxisWeights.bilinear(sh, th);
    // For each source row, the (target row, weight index) pairs it feeds, in target order.
    int[] count = new int[sh + 1];
    for (int k = 0; k < down.start[th]; k++) {
      count[down.source[k] + 1]++;
    }
    for (int y = 0; y < sh; y++) {
      count[y + 1] += count[y];
    }
    int[] target = new int[down.start[th]];
    int[] weightIndex = new int[down.start[th]];
    int[] fill = Arrays.copyOf(count, sh);
    for (int d = 0; d < th; d++) {
      for (int k = down.start[d]; k < down.start[d + 1]; k++) {
        int s = down.source[k];
        target[fill[s]] = d;
        weightIndex[fill[s]++] = k;
      }
    }
    int line = tw * c;
    double[] acc = new double[th * line];
    float[] across = new float[line];
    for (int y = 0; y < sh; y++) {
      if (count[y] == count[y + 1]) {
        continue;
      }
      src.row(y, row);
      for (int k = 0; k < c; k++) {
        cols.apply(row, k, c, across, k, c);
      }
      for (int e = count[y]; e < count[y + 1]; e++) {
        float wgt = down.weight[weightIndex[e]];
        int base = target[e] * line;
        for (int j = 0; j < line; j++) {
          // A float product widened, as in AxisWeights.apply, so the sums agree exactly.
          acc[base + j] += wgt * across[j];
        }
      }
    }
    for (int i = 0; i < acc.length; i++) {
      dst[offset + i] = (float) acc[i];
    }
  }
}
