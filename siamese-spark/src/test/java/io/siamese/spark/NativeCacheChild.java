package io.siamese.spark;

import java.nio.file.Path;

/**
 * A stand-in for an executor JVM: loads a model through {@link ExecutorModels} with a private
 * native cache under {@code args[1]}, embeds one example and prints where JavaCPP extracted
 * TensorFlow. Started by {@link NativeCacheTest}, several at once.
 */
final class NativeCacheChild {
  private NativeCacheChild() {}

  public static void main(String[] args) throws java.io.IOException {
    ShippedModel files = ShippedModel.read(Path.of(args[0]));
    ExecutorModels.LoadedModel m =
        ExecutorModels.acquire(new ExecutorModels.Key(files.digest(), 0, 0), () -> files, Path.of(args[1]), true);
    float[] e = m.embedder().embed(new float[][] {new float[m.embedder().inputShape().size()]})[0];
    System.out.println("cachedir=" + org.bytedeco.javacpp.Loader.getCacheDir());
    System.out.println("embedding=" + e.length);
    ExecutorModels.closeAll();
  }
}
