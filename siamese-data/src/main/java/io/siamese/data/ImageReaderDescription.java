package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Parses the values of {@link ImageReader#describe()} into a reader. */
final class ImageReaderDescription {
  private ImageReaderDescription() {}

  static ImageReader build(Map<String, String> v) {
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
