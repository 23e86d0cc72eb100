package io.siamese.core.gallery;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.function.Function;

/**
 * Turns labels into text and back, for galleries that store them (on disk or in a cluster).
 * {@code decode(encode(label))} must equal {@code label}.
 *
 * @param <L> the label type
 */
public interface LabelCodec<L> {

  /** The label as text. */
  String encode(L label);

  /**
   * The label {@link #encode} turned into {@code text}.
   *
   * @throws IllegalArgumentException if {@code text} is not an encoded label
   */
  L decode(String text);

  /** Labels that are strings, kept as they are. */
  static LabelCodec<String> strings() {
    return of(s -> s, s -> s);
  }

  /** Integer labels, as decimal text. */
  static LabelCodec<Integer> integers() {
    return of(i -> Integer.toString(i), Integer::valueOf);
  }

  /** Long labels, as decimal text. */
  static LabelCodec<Long> longs() {
    return of(l -> Long.toString(l), Long::valueOf);
  }

  /** A codec from two functions. */
  static <L> LabelCodec<L> of(Function<? super L, String> encode, Function<String, ? extends L> decode) {
    checkNotNull(encode, "encode");
    checkNotNull(decode, "decode");
    return new LabelCodec<>() {
      @Override
      public String encode(L label) {
        return checkNotNull(encode.apply(checkNotNull(label, "label")), "the codec encoded %s as null", label);
      }

      @Override
      public L decode(String text) {
        try {
          return decode.apply(text);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("'" + text + "' is not an encoded label: " + e.getMessage(), e);
        }
      }
    };
  }
}
