package io.siamese.examples;

import io.siamese.core.SiameseModel;
import io.siamese.core.evaluation.PairMetrics;
import io.siamese.core.evaluation.RocPoint;
import io.siamese.core.train.EpochResult;
import io.siamese.core.train.TrainingHistory;
import io.siamese.data.ExampleShape;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYImageAnnotation;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.ImageTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The pictures the examples write next to their console output, drawn with JFreeChart. */
final class Charts {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 600;

  private Charts() {}

  /**
   * Loss per epoch, and validation ROC AUC on a second axis when there was validation.
   *
   * @param validatedOn what the validation pairs were drawn from, for the legend
   */
  static void trainingCurve(TrainingHistory history, String validatedOn, Path file) throws IOException {
    XYSeries loss = new XYSeries("training loss (mean per epoch)");
    XYSeries auc = new XYSeries("validation ROC AUC (" + validatedOn + ")");
    for (EpochResult e : history.epochs()) {
      loss.add(e.epoch(), e.meanLoss());
      e.validation().ifPresent(v -> auc.add(e.epoch(), v.rocAuc()));
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            "Training", "epoch", "training loss", new XYSeriesCollection(loss), PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setRenderer(0, new XYLineAndShapeRenderer(true, true));
    if (auc.getItemCount() > 0) {
      NumberAxis aucAxis = new NumberAxis("validation ROC AUC");
      aucAxis.setAutoRangeIncludesZero(false);
      plot.setRangeAxis(1, aucAxis);
      plot.setDataset(1, new XYSeriesCollection(auc));
      plot.mapDatasetToRangeAxis(1, 1);
      XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
      r.setSeriesPaint(0, new Color(0, 130, 60));
      plot.setRenderer(1, r);
    }
    ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    save(chart, file);
  }

  /** The ROC curve with the operating point at {@code threshold} marked and labelled. */
  static void rocCurve(PairMetrics metrics, double threshold, String caption, Path file) throws IOException {
    XYSeries curve = new XYSeries("ROC (AUC " + format(metrics.rocAuc()) + ")", false);
    for (RocPoint p : metrics.rocCurve()) {
      curve.add(p.falsePositiveRate(), p.truePositiveRate());
    }
    XYSeries chance = new XYSeries("chance");
    chance.add(0, 0);
    chance.add(1, 1);
    var c = metrics.at(threshold);
    XYSeries point = new XYSeries("operating point: " + caption);
    point.add(c.falseAcceptRate(), c.recall());
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(curve);
    data.addSeries(chance);
    data.addSeries(point);
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            "Pairs of unseen classes", "false accept rate", "true accept rate", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
    r.setSeriesShapesVisible(0, false);
    r.setSeriesShapesVisible(1, false);
    r.setSeriesPaint(1, Color.GRAY);
    r.setSeriesStroke(1, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 6f}, 0f));
    r.setSeriesLinesVisible(2, false);
    r.setSeriesShape(2, new java.awt.geom.Ellipse2D.Double(-6, -6, 12, 12));
    r.setSeriesPaint(2, Color.RED);
    plot.setRenderer(r);
    plot.getDomainAxis().setRange(0, 1);
    plot.getRangeAxis().setRange(0, 1.02);
    XYTextAnnotation label =
        new XYTextAnnotation(
            String.format(Locale.ROOT, "  distance <= %.3f: FAR %.3f, TAR %.3f", threshold, c.falseAcceptRate(), c.recall()),
            c.falseAcceptRate(),
            c.recall() - 0.04);
    label.setTextAnchor(TextAnchor.TOP_LEFT);
    label.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    plot.addAnnotation(label);
    save(chart, file);
  }

  /**
   * One episode: the query as the title image, a bar per support example with its distance to the
   * query and its image above the bar; the model's pick in red, the true class outlined in green.
   */
  static void oneShotEpisode(
      float[] query, float[][] support, double[] distances, int pick, int truth, ExampleShape shape, Path file)
      throws IOException {
    XYSeries bars = new XYSeries("distance to the query");
    double max = 0;
    for (int s = 0; s < support.length; s++) {
      bars.add(s + 1, distances[s]);
      max = Math.max(max, distances[s]);
    }
    JFreeChart chart =
        ChartFactory.createXYBarChart(
            pick == truth ? "One-shot episode: right" : "One-shot episode: wrong",
            "support example (one per class)",
            false,
            "distance to the query",
            new XYSeriesCollection(bars),
            PlotOrientation.VERTICAL,
            false,
            false,
            false);
    XYPlot plot = chart.getXYPlot();
    final int picked = pick;
    XYBarRenderer r =
        new XYBarRenderer(0.2) {
          @Override
          public java.awt.Paint getItemPaint(int row, int column) {
            return column == picked ? Color.RED : new Color(90, 120, 200);
          }
        };
    r.setShadowVisible(false);
    r.setBarPainter(new org.jfree.chart.renderer.xy.StandardXYBarPainter());
    plot.setRenderer(r);
    plot.getRangeAxis().setRange(0, max * 1.45);
    plot.getDomainAxis().setRange(0.4, support.length + 0.6);
    ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    int thumb = support.length > 10 ? 32 : 56;
    for (int s = 0; s < support.length; s++) {
      Color frame = s == truth ? new Color(0, 150, 60) : (s == pick ? Color.RED : Color.LIGHT_GRAY);
      plot.addAnnotation(new XYImageAnnotation(s + 1, max * 1.25, image(support[s], shape, thumb, frame)));
      XYTextAnnotation d = new XYTextAnnotation(String.format(Locale.ROOT, "%.2f", distances[s]), s + 1, distances[s]);
      d.setTextAnchor(TextAnchor.BOTTOM_CENTER);
      d.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, support.length > 10 ? 9 : 12));
      plot.addAnnotation(d);
    }
    ImageTitle title = new ImageTitle(image(query, shape, 72, Color.BLACK), RectangleEdge.LEFT, org.jfree.chart.ui.HorizontalAlignment.CENTER, org.jfree.chart.ui.VerticalAlignment.CENTER);
    chart.addSubtitle(new org.jfree.chart.title.TextTitle(
        "query (left) against one example of each class; red = the model's pick, green frame = the true class"));
    chart.addSubtitle(title);
    save(chart, file);
  }

  /**
   * Draws query {@code q} of {@code episode} against its support set, as the model sees it. (Pick a
   * middle query: episodes list classes in order, so query 0's class always comes first.)
   */
  static void episode(
      io.siamese.core.SiameseModel model, io.siamese.data.Episode episode, int q, io.siamese.data.LabeledDataset data, Path file)
      throws IOException {
    int[] support = episode.support();
    float[][] images = new float[support.length][];
    for (int s = 0; s < support.length; s++) {
      images[s] = data.features(support[s]);
    }
    float[] query = data.features(episode.queries()[q]);
    double[] distances = new double[support.length];
    int pick = 0;
    int truth = 0;
    for (int s = 0; s < support.length; s++) {
      distances[s] = model.distance(query, images[s]);
      pick = distances[s] < distances[pick] ? s : pick;
      truth = episode.supportLabels()[s] == episode.queryLabels()[q] ? s : truth;
    }
    oneShotEpisode(query, images, distances, pick, truth, data.shape(), file);
  }

  /** A 2-D PCA projection of embeddings, one colour per class, named "class N" in the legend. */
  static void embeddingProjection(float[][] embeddings, int[] labels, String title, Path file) throws IOException {
    embeddingProjection(embeddings, labels, l -> "class " + l, title, file);
  }

  /** A 2-D PCA projection of embeddings, one colour per class, named by {@code className}. */
  static void embeddingProjection(
      float[][] embeddings, int[] labels, java.util.function.IntFunction<String> className, String title, Path file)
      throws IOException {
    double[][] xy = Pca.project2d(embeddings);
    java.util.TreeMap<Integer, XYSeries> byClass = new java.util.TreeMap<>();
    for (int i = 0; i < xy.length; i++) {
      byClass.computeIfAbsent(labels[i], l -> new XYSeries(className.apply(l), false)).add(xy[i][0], xy[i][1]);
    }
    XYSeriesCollection data = new XYSeriesCollection();
    byClass.values().forEach(data::addSeries);
    JFreeChart chart =
        ChartFactory.createScatterPlot(title, "first principal component", "second principal component", data,
            PlotOrientation.VERTICAL, byClass.size() <= 12, false, false);
    save(chart, file);
  }

  /** An image example as a grayscale picture, ink dark on white, scaled to {@code side} pixels. */
  static BufferedImage image(float[] pixels, ExampleShape shape, int side, Color frame) {
    int h = shape.height();
    int w = shape.width();
    BufferedImage small = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float ink = Math.max(0f, Math.min(1f, pixels[(y * w + x) * shape.channels()]));
        int g = Math.round(255 * (1 - ink));
        small.setRGB(x, y, (g << 16) | (g << 8) | g);
      }
    }
    BufferedImage big = new BufferedImage(side + 4, side + 4, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = big.createGraphics();
    g.setColor(frame);
    g.fillRect(0, 0, side + 4, side + 4);
    g.drawImage(small, 2, 2, side, side, null);
    g.dispose();
    return big;
  }

  private static void save(JFreeChart chart, Path file) throws IOException {
    chart.setBackgroundPaint(Color.WHITE);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(220, 220, 220));
    plot.setRangeGridlinePaint(new Color(220, 220, 220));
    ChartUtils.saveChartAsPNG(new File(file.toString()), chart, WIDTH, HEIGHT);
  }

  private static String format(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  /** The charts' file names, for the console report. */
  static List<String> names() {
    return List.of("training-curve.png", "roc-curve.png", "one-shot-episode.png", "embeddings-pca.png");
  }
}
