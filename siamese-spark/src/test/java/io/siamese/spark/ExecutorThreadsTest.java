package io.siamese.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class ExecutorThreadsTest {
  private static final int CORES = Runtime.getRuntime().availableProcessors();

  @Test
  void localModesRunAsManyTasksAsTheirThreads() {
    assertEquals(1, ExecutorThreads.executorCores("local", null));
    assertEquals(3, ExecutorThreads.executorCores("local[3]", null));
    assertEquals(CORES, ExecutorThreads.executorCores("local[*]", null));
    assertEquals(4, ExecutorThreads.executorCores("local[4,2]", null));
    assertEquals(3, ExecutorThreads.executorCores("local-cluster[2, 3, 1024]", null));
  }

  @Test
  void executorCoresWinAndTaskCpusDivide() {
    assertEquals(6, ExecutorThreads.executorCores("yarn", "6"));
    assertEquals(CORES, ExecutorThreads.executorCores("spark://host:7077", null));
    SparkConf conf = new SparkConf(false).set("spark.master", "k8s://https://api:6443").set("spark.executor.cores", "8").set("spark.task.cpus", "2");
    assertEquals(4, ExecutorThreads.concurrentTasks(conf));
    assertEquals(1, ExecutorThreads.concurrentTasks(new SparkConf(false).set("spark.master", "local[2]").set("spark.task.cpus", "4")));
  }
}
