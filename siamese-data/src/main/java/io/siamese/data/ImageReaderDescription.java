package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The text form of an {@link ImageReader}: {@link ImageReader#describe()}'s line parsed back into a reader. */
final class ImageReaderDescription {
  private ImageReaderDescription() {}

  /** See {@link ImageReader#parse}. */
  static ImageReader parse(String description) {
    checkNotNull(description, "description");
    String[] parts = description.trim().split(" +");
    checkArgument(
        parts[0].equals(ImageReader.VERSION),
        "image reader description must start with %s, got \"%s\"",
        ImageReader.VERSION,
        description);
    Map<String, String> values = new HashMap<>();
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      checkArgument(eq > 0, "\"%s\" in image reader description is not key=value", parts[i]);
      String key = parts[i].substring(0, eq);
      checkArgument(
          values.put(key, parts[i].substring(eq + 1)) == null,
          "image reader description gives %s twice",
          key);
    }
    try {
      return build(values);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalArgumentException(
          "cannot parse image reader description \"" + description + "\": " + e.getMessage(), e);
    }
  }

  /** Numbers comma-separated, each in Java's shortest round-trip form. */
  static String join(double[] values) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      s.append(i == 0 ? "" : ",").append(values[i]);
    }
    return s.toString();
  }

  private static ImageReader build(Map<String, String> v) {
    Map<String, String> values = new HashMap<>(v);
    String shapeText = values.remove("shape");
    checkArgument(shapeText != null, "shape is missing");
    String[] dims = shapeText.split("x");
    checkArgument(dims.length == 3, "shape must be HxWxC, got %s", shapeText);
    ImageReader.Builder b =
        ImageReader.builder(ExampleShape.image(integer(dims[0]), integer(dims[1]), integer(dims[2])));
    String resize = values.remove("resize");
    if (resize != null) {
      b.resize(ImageReader.Resize.valueOf(resize.toUpperCase(Locale.ROOT)));
    }
    String crop = values.remove("crop");
    if (crop != null && crop.equals("aspect")) {
      b.centerCrop();
    } else if (crop != null && !crop.equals("none")) {
      b.centerCrop(number(crop));
    }
    String invert = values.remove("invert");
    if (invert != null) {
      checkArgument(
          invert.equals("true") || invert.equals("false"), "invert must be true or false, got %s", invert);
      b.invert(Boolean.parseBoolean(invert));
    }
    String page = values.remove("page");
    if (page != null) {
      checkArgument(page.matches("#[0-9a-fA-F]{6}"), "page must be #rrggbb, got %s", page);
      b.pageColor(Integer.parseInt(page.substring(1), 16));
    }
    String mean = values.remove("mean");
    String std = values.remove("std");
    if (mean != null || std != null) {
      checkArgument(mean != null && std != null, "mean and std come together");
      b.normalize(numbers(mean), numbers(std));
    }
    String maxPixels = values.remove("maxPixels");
    if (maxPixels != null) {
      b.maxPixels(longValue(maxPixels));
    }
    String maxFileBytes = values.remove("maxFileBytes");
    if (maxFileBytes != null) {
      b.maxFileBytes(longValue(maxFileBytes));
    }
    checkArgument(values.isEmpty(), "unknown settings %s", values.keySet());
    return b.build();
  }

  private static int integer(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + s + "\" is not an integer", e);
    }
  }

  private static long longValue(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + s + "\" is not an integer", e);
    }
  }

  private static double number(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + s + "\" is not a number", e);
    }
  }

  private static double[] numbers(String s) {
    return Arrays.stream(s.split(",", -1)).mapToDouble(ImageReaderDescription::number).toArray();
  }
}
