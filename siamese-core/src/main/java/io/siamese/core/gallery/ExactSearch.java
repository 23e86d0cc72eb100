package io.siamese.core.gallery;

import io.siamese.losses.Distance;
import io.siamese.losses.Distances;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The library's one nearest-neighbour search: rows of {@code dim} floats stored back to back in one
 * growable {@code float[]} (row-major {@code [capacity, dim]}), each with an id and a class, and
 * the exact search for the {@code k} rows nearest to a query. {@link InMemoryGallery} keeps its
 * embeddings in one; one-shot evaluation builds one per episode.
 *
 * <p><b>Search.</b> For the ready-made distances ({@link Distances#EUCLIDEAN}, {@link
 * Distances#SQUARED_EUCLIDEAN}, {@link Distances#L1}, {@link Distances#COSINE}) a first pass
 * computes each row's distance in float, four rows at a time: the query is read once for four rows
 * and the four sums are independent, so their additions overlap instead of waiting on one another
 * (about 1.6-1.9x the time of a plain pass over the same floats, against 4x for a row at a time in
 * double). Float sums differ from {@link Distance#between}'s double sums, so a row is accepted only
 * after {@code between} confirms it: every row whose float value is within the float rounding
 * bound of the {@code k}-th best so far is recomputed exactly, and the comparisons use the exact
 * values. The answer is therefore exactly the brute-force answer over {@code between}, ties going
 * to the earliest row, and only a handful of rows per query pay for the exact computation. Any
 * other distance calls {@code between} on every row.
 *
 * <p>Rows stay in the order they were added (removal compacts), so "earliest row" is "earliest
 * added". Galleries of at least {@link #PARALLEL_MIN_FLOATS} floats are split into blocks scanned
 * on the common {@link ForkJoinPool}, the calling thread included.
 *
 * <p>Not thread-safe: the owner guards it.
 */
final class ExactSearch {
  /**
   * Galleries of at least this many floats (4 MB; 16,384 embeddings of 64 floats) are scanned on
   * several threads. Below it a scan takes well under a millisecond and handing out blocks costs
   * more than it saves.
   */
  static final int PARALLEL_MIN_FLOATS = 1 << 20;

  /** The largest Java array the JVM reliably allocates. */
  private static final int MAX_FLOATS = Integer.MAX_VALUE - 8;

  /** Blocks per thread of a parallel scan: a few, so a thread slowed by other work is caught up. */
  private static final int BLOCKS_PER_THREAD = 4;

  /** No block of a parallel scan is smaller than this, so each is worth handing out. */
  private static final int MIN_BLOCK_FLOATS = PARALLEL_MIN_FLOATS / 4;

  private enum Kind {
    EUCLIDEAN,
    SQUARED_EUCLIDEAN,
    L1,
    COSINE,
    OTHER
  }

  private final int dim;
  private final Distance distance;
  private final Kind kind;

  /**
   * Relative bound ({@code EUCLIDEAN}, {@code SQUARED_EUCLIDEAN}, {@code L1}) or absolute bound
   * ({@code COSINE}) on the difference between a float row value and its exact value. A float sum
   * of {@code n} non-negative rounded terms is within {@code (n + 2) u} of the exact sum, relative,
   * with {@code u = 2^-24}; doubling that leaves room for the double arithmetic on the other side.
   */
  private final double slack;

  private float[] rows = new float[0];
  private int[] classIds = new int[0];
  private long[] ids = new long[0];

  /** {@code ||row||_2} of each row, as {@link Distances#COSINE} computes it; cosine only. */
  private double[] norms = new double[0];

  private int size;

  ExactSearch(int dim, Distance distance) {
    this.dim = dim;
    this.distance = distance;
    this.kind = kindOf(distance);
    this.slack = (dim + 4) * 0x1p-23;
  }

  private static Kind kindOf(Distance d) {
    if (d == Distances.EUCLIDEAN) {
      return Kind.EUCLIDEAN;
    } else if (d == Distances.SQUARED_EUCLIDEAN) {
      return Kind.SQUARED_EUCLIDEAN;
    } else if (d == Distances.L1) {
      return Kind.L1;
    } else if (d == Distances.COSINE) {
      return Kind.COSINE;
    }
    return Kind.OTHER;
  }

  /** Floats per row. */
  int dim() {
    return dim;
  }

  /** Number of rows. */
  int size() {
    return size;
  }

  /** The class of row {@code row}. */
  int classId(int row) {
    return classIds[row];
  }

  /** The id of row {@code row}. */
  long id(int row) {
    return ids[row];
  }

  /** A copy of row {@code row}. */
  float[] row(int row) {
    return Arrays.copyOfRange(rows, row * dim, (row + 1) * dim);
  }

  /**
   * Appends copies of {@code embeddings} with their classes and ids. The caller has checked that
   * each has {@link #dim()} finite floats.
   *
   * @throws IllegalStateException if the rows would not fit in one Java array; nothing is added
   */
  void add(float[][] embeddings, int[] classes, long[] rowIds) {
    ensureCapacity(size + (long) embeddings.length);
    for (int i = 0; i < embeddings.length; i++) {
      float[] e = embeddings[i];
      System.arraycopy(e, 0, rows, size * dim, dim);
      classIds[size] = classes[i];
      ids[size] = rowIds[i];
      if (kind == Kind.COSINE) {
        norms[size] = norm(e, 0, dim);
      }
      size++;
    }
  }

  /** Removes the rows for which {@code remove} says so, keeping the others in order; returns how many went. */
  int removeIf(RowPredicate remove) {
    int kept = 0;
    for (int r = 0; r < size; r++) {
      if (remove.test(ids[r], classIds[r])) {
        continue;
      }
      if (kept != r) {
        System.arraycopy(rows, r * dim, rows, kept * dim, dim);
        classIds[kept] = classIds[r];
        ids[kept] = ids[r];
        if (kind == Kind.COSINE) {
          norms[kept] = norms[r];
        }
      }
      kept++;
    }
    int removed = size - kept;
    size = kept;
    return removed;
  }

  /** A row's fate in {@link #removeIf}. */
  @FunctionalInterface
  interface RowPredicate {
    boolean test(long id, int classId);
  }

  private void ensureCapacity(long needed) {
    int capacity = classIds.length;
    if (needed <= capacity) {
      return;
    }
    long maxRows = MAX_FLOATS / dim;
    if (needed > maxRows) {
      throw new IllegalStateException(
          String.format(
              "cannot enrol %s embeddings of %s floats: one Java array holds at most %s floats, so"
                  + " an in-memory gallery holds at most %s of them; use a persistent gallery (siamese-lucene)",
              needed, dim, MAX_FLOATS, maxRows));
    }
    // Grow by half: amortised O(1) appends, and less slack than doubling at a million rows.
    long grown = Math.max(needed, Math.max(16, capacity + (long) (capacity >> 1)));
    int newCapacity = (int) Math.min(grown, maxRows);
    rows = Arrays.copyOf(rows, newCapacity * dim);
    classIds = Arrays.copyOf(classIds, newCapacity);
    ids = Arrays.copyOf(ids, newCapacity);
    if (kind == Kind.COSINE) {
      norms = Arrays.copyOf(norms, newCapacity);
    }
  }

  /**
   * The {@code k} rows nearest to {@code query} in the distance, as {@link Distance#between} gives
   * it, nearest first; the earlier row first on ties. Fewer when fewer rows exist.
   *
   * @param query {@link #dim()} finite floats
   * @param k at least 1
   */
  List<Nearest> nearest(float[] query, int k) {
    if (size == 0) {
      return List.of();
    }
    long floats = (long) size * dim;
    int threads = ForkJoinPool.getCommonPoolParallelism() + 1;
    if (floats < PARALLEL_MIN_FLOATS || threads < 2 || Runtime.getRuntime().availableProcessors() < 2) {
      return scan(query, k, 0, size).result();
    }
    int blocks = (int) Math.min(threads * BLOCKS_PER_THREAD, floats / MIN_BLOCK_FLOATS);
    int perBlock = (size + blocks - 1) / blocks;
    // reduce keeps the encounter order of the blocks, so merge() sends ties to the earlier row.
    return IntStream.range(0, blocks)
        .parallel()
        .mapToObj(b -> scan(query, k, b * perBlock, Math.min(size, (b + 1) * perBlock)))
        .reduce(ExactSearch::merge)
        .orElseThrow()
        .result();
  }

  /** The best {@code k} of two blocks' answers, the earlier block's row first on ties. */
  private static Best merge(Best a, Best b) {
    for (int i = 0; i < b.count; i++) {
      a.insert(b.values[i], b.indices[i]);
    }
    return a;
  }

  /** The best {@code k} of rows {@code [from, to)}. */
  private Best scan(float[] query, int k, int from, int to) {
    Best best = new Best(query, k);
    if (from >= to) {
      return best;
    }
    switch (kind) {
      case EUCLIDEAN, SQUARED_EUCLIDEAN, L1 -> scanSums(best, query, from, to);
      case COSINE -> scanCosine(best, query, from, to);
      case OTHER -> {
        for (int r = from; r < to; r++) {
          best.offer(r);
        }
      }
    }
    return best;
  }

  /**
   * The {@code k} best rows so far, sorted by exact distance (stable: an equal distance goes after
   * the ones already kept), and the bound that a float value must not exceed for its row to have a
   * chance of entering them.
   */
  private final class Best {
    private final float[] query;
    private final float[] row = new float[dim];
    private final int k;
    private final double[] values;
    private final int[] indices;
    private int count;
    private double limit = Double.POSITIVE_INFINITY;

    Best(float[] query, int k) {
      this.query = query;
      this.k = k;
      this.values = new double[k];
      this.indices = new int[k];
    }

    /** Recomputes row {@code r} exactly and keeps it if it is among the {@code k} nearest. */
    void offer(int r) {
      System.arraycopy(rows, r * dim, row, 0, dim);
      insert(distance.between(query, row), r);
    }

    void insert(double d, int r) {
      if (count == k && !(d < values[k - 1])) {
        return;
      }
      int at = count == k ? k - 1 : count++;
      // Rows arrive in increasing order within a scan and blocks merge in order, so an equal
      // distance stays behind the rows already kept: ties go to the earlier row.
      while (at > 0 && d < values[at - 1]) {
        values[at] = values[at - 1];
        indices[at] = indices[at - 1];
        at--;
      }
      values[at] = d;
      indices[at] = r;
      if (count == k) {
        limit = limitFor(values[k - 1]);
      }
    }

    private double limitFor(double d) {
      return switch (kind) {
        // The float pass sums squares, so compare in squares.
        case EUCLIDEAN -> d * d * (1 + slack);
        case SQUARED_EUCLIDEAN, L1 -> d * (1 + slack);
        case COSINE -> d + slack + 1e-12;
        case OTHER -> Double.POSITIVE_INFINITY;
      };
    }

    /**
     * Whether a row whose float value is {@code f} may enter the best: within the bound, or not
     * finite (an overflow in float says nothing about the exact value).
     */
    boolean mayBeat(double f) {
      return f <= limit || !(Math.abs(f) < Double.POSITIVE_INFINITY);
    }

    List<Nearest> result() {
      List<Nearest> out = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        out.add(new Nearest(indices[i], values[i]));
      }
      return out;
    }
  }

  /** Sums of squared differences (Euclidean) or of absolute differences (L1), in float. */
  private void scanSums(Best best, float[] q, int from, int to) {
    final float[] x = rows;
    final int n = dim;
    final boolean abs = kind == Kind.L1;
    int r = from;
    for (; r + 4 <= to; r += 4) {
      int o0 = r * n;
      int o1 = o0 + n;
      int o2 = o1 + n;
      int o3 = o2 + n;
      float s0 = 0;
      float s1 = 0;
      float s2 = 0;
      float s3 = 0;
      if (abs) {
        for (int k = 0; k < n; k++) {
          float qk = q[k];
          s0 += Math.abs(qk - x[o0 + k]);
          s1 += Math.abs(qk - x[o1 + k]);
          s2 += Math.abs(qk - x[o2 + k]);
          s3 += Math.abs(qk - x[o3 + k]);
        }
      } else {
        for (int k = 0; k < n; k++) {
          float qk = q[k];
          float d0 = qk - x[o0 + k];
          float d1 = qk - x[o1 + k];
          float d2 = qk - x[o2 + k];
          float d3 = qk - x[o3 + k];
          s0 += d0 * d0;
          s1 += d1 * d1;
          s2 += d2 * d2;
          s3 += d3 * d3;
        }
      }
      if (best.mayBeat(s0)) {
        best.offer(r);
      }
      if (best.mayBeat(s1)) {
        best.offer(r + 1);
      }
      if (best.mayBeat(s2)) {
        best.offer(r + 2);
      }
      if (best.mayBeat(s3)) {
        best.offer(r + 3);
      }
    }
    for (; r < to; r++) {
      int o = r * n;
      float s = 0;
      for (int k = 0; k < n; k++) {
        float d = q[k] - x[o + k];
        s += abs ? Math.abs(d) : d * d;
      }
      if (best.mayBeat(s)) {
        best.offer(r);
      }
    }
  }

  /**
   * Cosine distance {@code 1 - q.x / (|q| |x|)} from a float dot product and the exact norms. The
   * dot product's error is at most {@code (n + 2) u sum |q_k x_k| <= (n + 2) u |q| |x|}, so the
   * float distance is within {@link #slack} of the exact one, absolute.
   */
  private void scanCosine(Best best, float[] q, int from, int to) {
    final float[] x = rows;
    final double[] xn = norms;
    final int n = dim;
    double qn = Math.max(norm(q, 0, n), 1e-12);
    int r = from;
    for (; r + 4 <= to; r += 4) {
      int o0 = r * n;
      int o1 = o0 + n;
      int o2 = o1 + n;
      int o3 = o2 + n;
      float s0 = 0;
      float s1 = 0;
      float s2 = 0;
      float s3 = 0;
      for (int k = 0; k < n; k++) {
        float qk = q[k];
        s0 += qk * x[o0 + k];
        s1 += qk * x[o1 + k];
        s2 += qk * x[o2 + k];
        s3 += qk * x[o3 + k];
      }
      if (best.mayBeat(1 - s0 / (qn * Math.max(xn[r], 1e-12)))) {
        best.offer(r);
      }
      if (best.mayBeat(1 - s1 / (qn * Math.max(xn[r + 1], 1e-12)))) {
        best.offer(r + 1);
      }
      if (best.mayBeat(1 - s2 / (qn * Math.max(xn[r + 2], 1e-12)))) {
        best.offer(r + 2);
      }
      if (best.mayBeat(1 - s3 / (qn * Math.max(xn[r + 3], 1e-12)))) {
        best.offer(r + 3);
      }
    }
    for (; r < to; r++) {
      int o = r * n;
      float s = 0;
      for (int k = 0; k < n; k++) {
        s += q[k] * x[o + k];
      }
      if (best.mayBeat(1 - s / (qn * Math.max(xn[r], 1e-12)))) {
        best.offer(r);
      }
    }
  }

  /** {@code ||v[from, from + n)||_2} summed in double in index order, as {@link Distances#COSINE} does. */
  private static double norm(float[] v, int from, int n) {
    double s = 0;
    for (int k = from; k < from + n; k++) {
      s += (double) v[k] * v[k];
    }
    return Math.sqrt(s);
  }

  /**
   * An answer of {@link #nearest}.
   *
   * @param row the row index, in order of addition
   * @param distance its exact distance to the query, from {@link Distance#between}
   */
  record Nearest(int row, double distance) {}
}
