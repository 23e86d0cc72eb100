package io.siamese.losses;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every ready-made loss as one line of text, and back: what a saved model writes so that it reloads
 * its loss without the caller passing it again.
 *
 * <p>A description is the loss's name and then every setting as {@code key=value}, separated by
 * single spaces, for example
 *
 * <pre>
 *   batch-hard margin=1.0 distance=euclidean reduction=MEAN
 *   batch-hard margin=soft distance=euclidean reduction=MEAN
 *   arcface classes=716 margin=0.4991641660703782 scale=64.0 large-angle=LINEAR_FALLBACK
 * </pre>
 *
 * <p>{@link #describe} writes every setting, numbers with {@link Double#toString}, so {@code
 * parse(describe(loss))} equals {@code loss} exactly, and a model saved today reloads the same
 * loss even if a default changes later. {@link #parse} also accepts a description that leaves
 * settings out (they take the builder's defaults; only {@code classes} and a pair loss's {@code
 * convention} are required) and the older positional forms {@code contrastive SIMILAR_IS_ONE
 * 1.0 euclidean MEAN} and {@code koch SIMILAR_IS_ONE MEAN}; it rejects unknown names and keys,
 * repeated keys and bad values with a message naming them.
 *
 * <table>
 *   <caption>Names and keys</caption>
 *   <tr><th>Loss</th><th>Name</th><th>Keys</th></tr>
 *   <tr><td>{@link ContrastiveLoss}</td><td>{@code contrastive}</td>
 *       <td>convention, margin, distance, reduction</td></tr>
 *   <tr><td>{@link KochPairHeadLoss}</td><td>{@code koch}</td><td>convention, reduction</td></tr>
 *   <tr><td>{@link TripletLoss}</td><td>{@code triplet}</td>
 *       <td>margin, distance, reduction</td></tr>
 *   <tr><td>{@link BatchAllTripletLoss}</td><td>{@code batch-all}</td>
 *       <td>margin, distance, reduction</td></tr>
 *   <tr><td>{@link BatchHardTripletLoss}</td><td>{@code batch-hard}</td>
 *       <td>margin (a number or {@code soft}), distance, reduction</td></tr>
 *   <tr><td>{@link SemiHardTripletLoss}</td><td>{@code semi-hard}</td>
 *       <td>margin, distance, reduction</td></tr>
 *   <tr><td>{@link NTXentLoss}</td><td>{@code ntxent}</td>
 *       <td>temperature, distance, reduction</td></tr>
 *   <tr><td>{@link MultiSimilarityLoss}</td><td>{@code multi-similarity}</td>
 *       <td>alpha, beta, base, mining ({@code on}/{@code off}), epsilon, reduction</td></tr>
 *   <tr><td>{@link ArcFaceLoss}</td><td>{@code arcface}</td>
 *       <td>classes, margin (radians), scale, large-angle</td></tr>
 *   <tr><td>{@link SubCenterArcFaceLoss}</td><td>{@code subcenter-arcface}</td>
 *       <td>classes, sub-centres, margin (radians), scale, large-angle</td></tr>
 *   <tr><td>{@link CosFaceLoss}</td><td>{@code cosface}</td><td>classes, margin, scale</td></tr>
 *   <tr><td>{@link NormalizedSoftmaxLoss}</td><td>{@code normalized-softmax}</td>
 *       <td>classes, temperature</td></tr>
 *   <tr><td>{@link ProxyAnchorLoss}</td><td>{@code proxy-anchor}</td>
 *       <td>classes, margin, alpha</td></tr>
 * </table>
 *
 * <p>Distances are written by {@link Distance#name()} and must be one of {@link Distances}'; a loss
 * with a distance of its own, or a loss class of its own, has no description: {@link #describe}
 * returns empty, and whoever loads such a model must supply the loss.
 */
public final class LossDescriptions {
  private static final Pattern NUMBER =
      Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");
  private static final Pattern INTEGER = Pattern.compile("\\d{1,10}");

  private LossDescriptions() {}

  /**
   * The one-line description of a ready-made loss, or empty for a loss this class does not know (a
   * class of one's own, or a ready-made loss with a distance of one's own).
   *
   * @throws NullPointerException if {@code loss} is null
   */
  public static Optional<String> describe(Object loss) {
    java.util.Objects.requireNonNull(loss, "loss");
    Line l;
    if (loss instanceof ContrastiveLoss c) {
      l = new Line("contrastive").put("convention", c.labelConvention()).put("margin", c.margin());
      if (!l.distance(c.distance())) {
        return Optional.empty();
      }
      l.put("reduction", c.reduction());
    } else if (loss instanceof KochPairHeadLoss k) {
      l = new Line("koch").put("convention", k.labelConvention()).put("reduction", k.reduction());
    } else if (loss instanceof TripletLoss t) {
      l = new Line("triplet").put("margin", t.margin());
      if (!l.distance(t.distance())) {
        return Optional.empty();
      }
      l.put("reduction", t.reduction());
    } else if (loss instanceof BatchAllTripletLoss b) {
      l = new Line("batch-all").put("margin", b.margin());
      if (!l.distance(b.distance())) {
        return Optional.empty();
      }
      l.put("reduction", b.reduction());
    } else if (loss instanceof BatchHardTripletLoss b) {
      l = new Line("batch-hard").put("margin", b.isSoft() ? "soft" : Double.toString(b.margin()));
      if (!l.distance(b.distance())) {
        return Optional.empty();
      }
      l.put("reduction", b.reduction());
    } else if (loss instanceof SemiHardTripletLoss s) {
      l = new Line("semi-hard").put("margin", s.margin());
      if (!l.distance(s.distance())) {
        return Optional.empty();
      }
      l.put("reduction", s.reduction());
    } else if (loss instanceof NTXentLoss n) {
      l = new Line("ntxent").put("temperature", n.temperature());
      if (!l.distance(n.distance())) {
        return Optional.empty();
      }
      l.put("reduction", n.reduction());
    } else if (loss instanceof MultiSimilarityLoss m) {
      l =
          new Line("multi-similarity")
              .put("alpha", m.alpha())
              .put("beta", m.beta())
              .put("base", m.base())
              .put("mining", m.isMining() ? "on" : "off");
      if (m.isMining()) {
        l.put("epsilon", m.epsilon());
      }
      l.put("reduction", m.reduction());
    } else if (loss instanceof ArcFaceLoss a) {
      l =
          new Line("arcface")
              .put("classes", a.classes())
              .put("margin", a.margin())
              .put("scale", a.scale())
              .put("large-angle", a.largeAngle());
    } else if (loss instanceof SubCenterArcFaceLoss a) {
      l =
          new Line("subcenter-arcface")
              .put("classes", a.classes())
              .put("sub-centres", a.subCentres())
              .put("margin", a.margin())
              .put("scale", a.scale())
              .put("large-angle", a.largeAngle());
    } else if (loss instanceof CosFaceLoss c) {
      l =
          new Line("cosface")
              .put("classes", c.classes())
              .put("margin", c.margin())
              .put("scale", c.scale());
    } else if (loss instanceof NormalizedSoftmaxLoss n) {
      l =
          new Line("normalized-softmax")
              .put("classes", n.classes())
              .put("temperature", n.temperature());
    } else if (loss instanceof ProxyAnchorLoss p) {
      l =
          new Line("proxy-anchor")
              .put("classes", p.classes())
              .put("margin", p.margin())
              .put("alpha", p.alpha());
    } else {
      return Optional.empty();
    }
    return Optional.of(l.toString());
  }

  /**
   * The loss a description stands for: a {@link PairLoss}, {@link KochPairHeadLoss}, {@link
   * TripletLoss}, {@link BatchLoss} or {@link LearnedParameterLoss}, equal to the one described.
   *
   * @throws IllegalArgumentException naming the description and what is wrong with it: an unknown
   *     name or key, a repeated or missing key, a value that is not a number or out of range
   */
  public static Object parse(String description) {
    java.util.Objects.requireNonNull(description, "description");
    try {
      return parseChecked(description);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalArgumentException(
          "bad loss description '" + description + "': " + e.getMessage(), e);
    }
  }

  /**
   * As {@link #parse(String)}, for a loss of an expected kind, e.g. {@code parse(text,
   * LearnedParameterLoss.class)}.
   *
   * @throws IllegalArgumentException as {@link #parse(String)} does, or if the description is of a
   *     loss of another kind
   */
  public static <L> L parse(String description, Class<L> kind) {
    java.util.Objects.requireNonNull(kind, "kind");
    Object loss = parse(description);
    if (!kind.isInstance(loss)) {
      throw new IllegalArgumentException(
          "the loss description '"
              + description
              + "' is of a "
              + loss.getClass().getSimpleName()
              + ", not a "
              + kind.getSimpleName());
    }
    return kind.cast(loss);
  }

  private static Object parseChecked(String description) {
    String[] t = description.trim().split(" +");
    String name = t[0];
    if (t.length > 1 && !t[1].contains("=")) {
      return parseLegacy(name, t);
    }
    Fields f = new Fields(name, t);
    switch (name) {
      case "contrastive":
        {
          ContrastiveLoss.Builder b =
              ContrastiveLoss.builder(f.enumValue("convention", PairLabelConvention.class, true));
          f.ifNumber("margin", b::margin);
          f.ifDistance(b::distance);
          f.ifReduction(b::reduction);
          return f.done(b.build());
        }
      case "koch":
        {
          KochPairHeadLoss.Builder b =
              KochPairHeadLoss.builder(f.enumValue("convention", PairLabelConvention.class, true));
          f.ifReduction(b::reduction);
          return f.done(b.build());
        }
      case "triplet":
        {
          TripletLoss.Builder b = TripletLoss.builder();
          f.ifNumber("margin", b::margin);
          f.ifDistance(b::distance);
          f.ifReduction(b::reduction);
          return f.done(b.build());
        }
      case "batch-all":
        {
          BatchAllTripletLoss.Builder b = BatchAllTripletLoss.builder();
          f.ifNumber("margin", b::margin);
          f.ifDistance(b::distance);
          f.ifReduction(b::reduction);
          return f.done(b.build());
        }
      case "batch-hard":
        {
          BatchHardTripletLoss.Builder b = BatchHardTripletLoss.builder();
          String margin = f.take("margin");
          if ("soft".equals(margin)) {
            b.soft();
          } else if (margin != null) {
            b.margin(number("margin", margin));
          }
          f.ifDistance(b::distance);
          f.ifReduction(b::reduction);
          return f.done(b.build());
        }
      case "semi-hard":
        {
          SemiHardTripletLoss.Builder b = SemiHardTripletLoss.builder();
          f.ifNumber("margin", b::margin);
          f.ifDistance(b::distance);
          f.ifReduction(b::reduction);
          return f.done(b.build());
        }
      case "ntxent":
        {
          NTXentLoss.Builder b = NTXentLoss.builder();
          f.ifNumber("temperature", b::temperature);
          f.ifDistance(b::distance);
          f.ifReduction(b::reduction);
          return f.done(b.build());
        }
      case "multi-similarity":
        {
          MultiSimilarityLoss.Builder b = MultiSimilarityLoss.builder();
          f.ifNumber("alpha", b::alpha);
          f.ifNumber("beta", b::beta);
          f.ifNumber("base", b::base);
          String mining = f.take("mining");
          if ("off".equals(mining)) {
            b.noMining();
          } else if (mining != null && !mining.equals("on")) {
            throw new IllegalArgumentException("mining must be on or off, got '" + mining + "'");
          }
          f.ifNumber("epsilon", b::epsilon);
          f.ifReduction(b::reduction);
          return f.done(b.build());
        }
      case "arcface":
        {
          ArcFaceLoss.Builder b = ArcFaceLoss.builder(f.classes());
          f.ifNumber("margin", b::margin);
          f.ifNumber("scale", b::scale);
          f.ifEnum("large-angle", ArcFaceLoss.LargeAngle.class, b::largeAngle);
          return f.done(b.build());
        }
      case "subcenter-arcface":
        {
          SubCenterArcFaceLoss.Builder b = SubCenterArcFaceLoss.builder(f.classes());
          String k = f.take("sub-centres");
          if (k != null) {
            b.subCentres(integer("sub-centres", k));
          }
          f.ifNumber("margin", b::margin);
          f.ifNumber("scale", b::scale);
          f.ifEnum("large-angle", ArcFaceLoss.LargeAngle.class, b::largeAngle);
          return f.done(b.build());
        }
      case "cosface":
        {
          CosFaceLoss.Builder b = CosFaceLoss.builder(f.classes());
          f.ifNumber("margin", b::margin);
          f.ifNumber("scale", b::scale);
          return f.done(b.build());
        }
      case "normalized-softmax":
        {
          NormalizedSoftmaxLoss.Builder b = NormalizedSoftmaxLoss.builder(f.classes());
          f.ifNumber("temperature", b::temperature);
          return f.done(b.build());
        }
      case "proxy-anchor":
        {
          ProxyAnchorLoss.Builder b = ProxyAnchorLoss.builder(f.classes());
          f.ifNumber("margin", b::margin);
          f.ifNumber("alpha", b::alpha);
          return f.done(b.build());
        }
      default:
        throw new IllegalArgumentException(
            "unknown loss '"
                + name
                + "'; known: contrastive, koch, triplet, batch-all, batch-hard, semi-hard, ntxent,"
                + " multi-similarity, arcface, subcenter-arcface, cosface, normalized-softmax,"
                + " proxy-anchor");
    }
  }

  /** The positional forms written before key=value descriptions existed. */
  private static Object parseLegacy(String name, String[] t) {
    if (name.equals("contrastive") && t.length == 5) {
      return ContrastiveLoss.builder(enumOf("convention", PairLabelConvention.class, t[1]))
          .margin(number("margin", t[2]))
          .distance(Distances.byName(t[3]))
          .reduction(enumOf("reduction", Reduction.class, t[4]))
          .build();
    }
    if (name.equals("koch") && t.length == 3) {
      return KochPairHeadLoss.builder(enumOf("convention", PairLabelConvention.class, t[1]))
          .reduction(enumOf("reduction", Reduction.class, t[2]))
          .build();
    }
    throw new IllegalArgumentException("settings must be written key=value, got '" + t[1] + "'");
  }

  static double number(String key, String value) {
    if (!NUMBER.matcher(value).matches()) {
      throw new IllegalArgumentException(key + " must be a number, got '" + value + "'");
    }
    return Double.parseDouble(value);
  }

  static int integer(String key, String value) {
    if (!INTEGER.matcher(value).matches() || Long.parseLong(value) > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + value + "'");
    }
    return Integer.parseInt(value);
  }

  static <E extends Enum<E>> E enumOf(String key, Class<E> type, String value) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(value)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name());
    }
    throw new IllegalArgumentException(
        key + " must be one of " + String.join(", ", names) + ", got '" + value + "'");
  }

  /** A description being written. */
  private static final class Line {
    private final StringBuilder text;

    Line(String name) {
      text = new StringBuilder(name);
    }

    Line put(String key, Object value) {
      String v = value instanceof Double d ? Double.toString(d) : String.valueOf(value);
      text.append(' ').append(key).append('=').append(v);
      return this;
    }

    /** Writes a ready-made distance; false for one of the caller's own. */
    boolean distance(Distance d) {
      try {
        if (Distances.byName(d.name()) != d) {
          return false;
        }
      } catch (IllegalArgumentException notReadyMade) {
        return false;
      }
      put("distance", d.name());
      return true;
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }

  /** The key=value settings of a description being read; each is taken once. */
  private static final class Fields {
    private final String name;
    private final Map<String, String> values = new LinkedHashMap<>();

    Fields(String name, String[] tokens) {
      this.name = name;
      for (int i = 1; i < tokens.length; i++) {
        int eq = tokens[i].indexOf('=');
        if (eq <= 0 || eq == tokens[i].length() - 1) {
          throw new IllegalArgumentException(
              "settings must be written key=value, got '" + tokens[i] + "'");
        }
        String key = tokens[i].substring(0, eq);
        if (values.put(key, tokens[i].substring(eq + 1)) != null) {
          throw new IllegalArgumentException(key + " is given twice");
        }
      }
    }

    String take(String key) {
      return values.remove(key);
    }

    int classes() {
      String c = take("classes");
      if (c == null) {
        throw new IllegalArgumentException(name + " needs classes=C, the number of classes");
      }
      return integer("classes", c);
    }

    void ifNumber(String key, java.util.function.DoubleConsumer set) {
      String v = take(key);
      if (v != null) {
        set.accept(number(key, v));
      }
    }

    void ifDistance(java.util.function.Consumer<Distance> set) {
      String v = take("distance");
      if (v != null) {
        set.accept(Distances.byName(v));
      }
    }

    void ifReduction(java.util.function.Consumer<Reduction> set) {
      ifEnum("reduction", Reduction.class, set);
    }

    <E extends Enum<E>> void ifEnum(
        String key, Class<E> type, java.util.function.Consumer<E> set) {
      String v = take(key);
      if (v != null) {
        set.accept(enumOf(key, type, v));
      }
    }

    <E extends Enum<E>> E enumValue(String key, Class<E> type, boolean required) {
      String v = take(key);
      if (v == null) {
        if (required) {
          throw new IllegalArgumentException(
              name + " needs " + key + "=" + type.getEnumConstants()[0] + " or another value");
        }
        return null;
      }
      return enumOf(key, type, v);
    }

    /** {@code loss}, if every setting was used. */
    Object done(Object loss) {
      if (!values.isEmpty()) {
        throw new IllegalArgumentException(
            "unknown setting(s) " + values.keySet() + " for " + name);
      }
      return loss;
    }
  }
}
