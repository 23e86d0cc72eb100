package io.siamese.spark;

/**
 * Extracts TensorFlow's native libraries into JavaCPP's cache directory and prints where: run it
 * once per node with the cluster jar installed there, so that executors pointed at the same
 * directory find the libraries in place (docs/spark.md, "TensorFlow's native libraries").
 *
 * <pre>
 * java -Dorg.bytedeco.javacpp.cachedir=/opt/javacpp-cache -cp siamese-spark-cluster.jar io.siamese.spark.ExtractNatives
 * </pre>
 */
public final class ExtractNatives {
  private ExtractNatives() {}

  public static void main(String[] args) throws java.io.IOException {
    String version = org.tensorflow.TensorFlow.version();
    System.out.println("TensorFlow " + version + " natives in " + org.bytedeco.javacpp.Loader.getCacheDir());
  }
}
