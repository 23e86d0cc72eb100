package io.siamese.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;

/**
 * How many tasks an executor runs at once, read from its Spark configuration: the shared model's
 * TensorFlow pools are sized for that many concurrent batches.
 */
final class ExecutorThreads {
  private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+|\\*)(?:,\\s*\\d+)?]");
  private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*\\d+\\s*,\\s*(\\d+)\\s*,\\s*\\d+\\s*]");

  private ExecutorThreads() {}

  /** Concurrent tasks of this executor: its cores over {@code spark.task.cpus}, at least 1. */
  static int concurrentTasks(SparkConf conf) {
    int taskCpus = Math.max(1, conf.getInt("spark.task.cpus", 1));
    return Math.max(1, executorCores(conf.get("spark.master", ""), conf.get("spark.executor.cores", null)) / taskCpus);
  }

  /**
   * The cores of one executor: {@code spark.executor.cores} when set; in local mode the N of {@code
   * local[N]} ({@code local[*]}: this machine's cores); otherwise this machine's cores, as a
   * standalone worker gives an executor by default.
   */
  static int executorCores(String master, String executorCores) {
    if (executorCores != null && !executorCores.isBlank()) {
      return Integer.parseInt(executorCores.trim());
    }
    String m = master.trim();
    if (m.equals("local")) {
      return 1;
    }
    Matcher local = LOCAL.matcher(m);
    if (local.matches()) {
      return local.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(local.group(1));
    }
    Matcher cluster = LOCAL_CLUSTER.matcher(m);
    if (cluster.matches()) {
      return Integer.parseInt(cluster.group(1));
    }
    return Runtime.getRuntime().availableProcessors();
  }
}
