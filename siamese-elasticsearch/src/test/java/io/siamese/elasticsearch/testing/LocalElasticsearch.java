package io.siamese.elasticsearch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts a real single-node Elasticsearch server for tests and benchmarks: the integ-test
 * distribution the build unpacks into {@code siamese-elasticsearch/target/elasticsearch-dist},
 * on 127.0.0.1 and free ports, security off, a 512 MB heap, config, data, logs and temporary files
 * in a run directory of the caller's choosing (reused when it holds data: a restart).
 *
 * <p>Elasticsearch refuses to run as root. When this JVM runs as root (CI does) the server runs as
 * the user {@code nobody} (or {@code -Dsiamese.elasticsearch.user}), through {@code setpriv} or
 * {@code runuser}; the run directory is given to that user, and if that user cannot read the
 * distribution or write the run directory (a checkout under {@code /root}), both move to a
 * temporary directory. The distribution carries no JDK: the server runs on this JVM's ({@code
 * java.home}).
 *
 * <p>{@link #close()} stops the server and every process it started; so does a shutdown hook if
 * the JVM exits first. When the server cannot start, {@link StartException} says why, with the
 * end of its log, so that tests can skip with that message.
 */
public final class LocalElasticsearch implements AutoCloseable {
  /** System property: the unpacked distribution (the folder holding bin/ and lib/). */
  public static final String HOME_PROPERTY = "siamese.elasticsearch.home";
  /** System property: the user to run the server as when this JVM is root; default nobody. */
  public static final String USER_PROPERTY = "siamese.elasticsearch.user";
  private static final String DIST = "target/elasticsearch-dist";

  private final Path home;
  private final Path run;
  private final Path tempCopy;
  private final Optional<int[]> user;
  private final int port;
  private final int transportPort;
  private final Thread hook;
  private volatile Process process;
  private volatile boolean closed;

  private LocalElasticsearch(Path home, Path run, Path tempCopy, Optional<int[]> user, int port, int transportPort) {
    this.home = home;
    this.run = run;
    this.tempCopy = tempCopy;
    this.user = user;
    this.port = port;
    this.transportPort = transportPort;
    this.hook = new Thread(this::stop, "stop-elasticsearch-" + port);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The server cannot start; the message says why and ends with the tail of its log. */
  public static final class StartException extends Exception {
    private static final long serialVersionUID = 1L;

    StartException(String message) {
      super(message);
    }
  }

  /**
   * The unpacked distribution: {@code -Dsiamese.elasticsearch.home}, else {@code
   * target/elasticsearch-dist/elasticsearch-*} of siamese-elasticsearch, looked for from the
   * working directory (the module or the repository root).
   */
  public static Path defaultHome() throws StartException {
    String property = System.getProperty(HOME_PROPERTY);
    if (property != null) {
      return Path.of(property);
    }
    for (Path module : List.of(Path.of("."), Path.of("siamese-elasticsearch"), Path.of("../siamese-elasticsearch"))) {
      Path dist = module.resolve(DIST);
      if (Files.isDirectory(dist)) {
        try (DirectoryStream<Path> homes = Files.newDirectoryStream(dist, "elasticsearch-*")) {
          for (Path home : homes) {
            return home.toAbsolutePath().normalize();
          }
        } catch (IOException e) {
          throw new StartException("cannot list " + dist + ": " + e);
        }
      }
    }
    throw new StartException("no unpacked Elasticsearch distribution under siamese-elasticsearch/" + DIST
        + ": run `mvn -pl siamese-elasticsearch process-test-resources` or set -D" + HOME_PROPERTY);
  }

  /**
   * Starts a server from {@code home}, keeping its files under {@code runDirectory} (created if
   * missing; its data is reused), and waits until the cluster is yellow or green.
   */
  public static LocalElasticsearch start(Path home, Path runDirectory, Duration timeout) throws StartException {
    if (!Files.isRegularFile(home.resolve("bin/elasticsearch")) || !Files.isDirectory(home.resolve("lib"))) {
      throw new StartException("no Elasticsearch distribution at " + home + " (no bin/elasticsearch)");
    }
    Optional<int[]> user = userToRunAs();
    Path run = runDirectory.toAbsolutePath().normalize();
    Path tempCopy = null;
    try {
      prepare(home, run, user);
      if (user.isPresent() && !canUse(home, run, user.get())) {
        // The user cannot reach the checkout (e.g. under /root): run from a copy it can read.
        tempCopy = Files.createTempDirectory("siamese-elasticsearch");
        tempCopy.toFile().setExecutable(true, false);
        tempCopy.toFile().setReadable(true, false);
        Path copy = tempCopy.resolve(home.getFileName());
        copyTree(home, copy);
        home = copy;
        run = tempCopy.resolve("run");
        prepare(home, run, user);
        if (!canUse(home, run, user.get())) {
          throw new StartException("the user with uid " + user.get()[0] + " cannot read " + home + " or write " + run
              + ", nor the copy in " + tempCopy + "; set -D" + USER_PROPERTY + " to another user");
        }
      }
      StartException last = null;
      for (int attempt = 0; attempt < 3; attempt++) {
        try {
          return launch(home, run, tempCopy, user, timeout);
        } catch (StartException e) {
          last = e;
          if (!e.getMessage().contains("Address already in use") && !e.getMessage().contains("BindException")) {
            break; // only a port taken between choosing and binding is worth another try
          }
        }
      }
      deleteTree(tempCopy);
      throw last;
    } catch (IOException e) {
      deleteTree(tempCopy);
      throw new StartException("cannot prepare " + run + " for Elasticsearch: " + e);
    }
  }

  private static LocalElasticsearch launch(Path home, Path run, Path tempCopy, Optional<int[]> user, Duration timeout)
      throws StartException, IOException {
    LocalElasticsearch es = new LocalElasticsearch(home, run, tempCopy, user, freePort(), freePort());
    try {
      es.startProcess(timeout);
      return es;
    } catch (StartException | IOException | RuntimeException e) {
      es.release(); // the temporary copy stays for the next attempt
      throw e;
    }
  }

  /**
   * Starts the server again after {@link #kill()}, on the same data and the same ports, and waits
   * until it is ready: what a restart after a crash does.
   */
  public void restart(Duration timeout) throws StartException {
    if (closed) {
      throw new IllegalStateException("this server was closed");
    }
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the server is still running; kill() it first");
    }
    try {
      startProcess(timeout);
    } catch (IOException e) {
      throw new StartException("cannot restart Elasticsearch in " + run + ": " + e);
    }
  }

  private void startProcess(Duration timeout) throws StartException, IOException {
    List<String> command = new ArrayList<>();
    user.ifPresent(u -> command.addAll(asUser(u)));
    command.addAll(List.of("/bin/bash", home.resolve("bin/elasticsearch").toString(),
        "-E", "discovery.type=single-node",
        "-E", "network.host=127.0.0.1",
        "-E", "http.port=" + port,
        "-E", "transport.port=" + transportPort,
        "-E", "xpack.security.enabled=false",
        "-E", "cluster.routing.allocation.disk.threshold_enabled=false",
        "-E", "cluster.name=siamese-test",
        "-E", "node.name=siamese-test",
        "-E", "path.data=" + run.resolve("data"),
        "-E", "path.logs=" + run.resolve("logs")));
    ProcessBuilder pb = new ProcessBuilder(command).directory(run.toFile());
    pb.environment().clear(); // no inherited JAVA_TOOL_OPTIONS, ES_* or proxies
    pb.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
    pb.environment().put("HOME", run.toString());
    pb.environment().put("ES_JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("ES_PATH_CONF", run.resolve("config").toString());
    pb.environment().put("ES_TMPDIR", run.resolve("tmp").toString());
    pb.environment().put("ES_JAVA_OPTS", "-Xms512m -Xmx512m");
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(run.resolve("logs/console.log").toFile()));
    process = pb.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        stop();
        throw new StartException("Elasticsearch exited with status " + process.exitValue() + " while starting; "
            + "its log ends:\n" + logTail(40));
      }
      if (healthy(client)) {
        return;
      }
      sleep(500);
    }
    stop();
    throw new StartException("Elasticsearch was not ready within " + timeout.toSeconds() + " s; its log ends:\n"
        + logTail(40));
  }

  private boolean healthy(HttpClient client) {
    try {
      HttpResponse<String> r = client.send(
          HttpRequest.newBuilder(URI.create(url() + "/_cluster/health?wait_for_status=yellow&timeout=1s"))
              .timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && (r.body().contains("\"green\"") || r.body().contains("\"yellow\""));
    } catch (IOException e) {
      return false; // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The server's HTTP address, e.g. {@code http://127.0.0.1:41234}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Where its config, data, logs and temporary files are. */
  public Path runDirectory() {
    return run;
  }

  /** The last {@code lines} lines the server printed. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(run.resolve("logs/console.log"), StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** The server's processes: the launcher and the server JVM it started. */
  private List<ProcessHandle> tree() {
    Process p = process;
    if (p == null) {
      return List.of();
    }
    List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
    all.add(p.toHandle());
    return all;
  }

  /** Kills the server with SIGKILL, as a crash would, and waits until its processes are gone. */
  public void kill() {
    List<ProcessHandle> all = tree();
    all.forEach(ProcessHandle::destroyForcibly);
    await(all, Duration.ofSeconds(30));
  }

  /** Stops the server (SIGTERM, then SIGKILL after 30 s) and removes any temporary copy. Idempotent. */
  @Override
  public void close() {
    closed = true;
    release();
    deleteTree(tempCopy);
  }

  private void release() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }

  private void stop() {
    List<ProcessHandle> all = tree();
    all.forEach(ProcessHandle::destroy);
    if (!await(all, Duration.ofSeconds(30))) {
      all.forEach(ProcessHandle::destroyForcibly);
      await(all, Duration.ofSeconds(10));
    }
  }

  private static boolean await(List<ProcessHandle> processes, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    for (ProcessHandle p : processes) {
      try {
        long left = deadline - System.nanoTime();
        p.onExit().get(Math.max(left, 0), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        if (p.isAlive()) {
          return false;
        }
      }
    }
    return true;
  }

  /** Removes a directory tree; quiet about what is already gone. */
  public static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      System.getLogger(LocalElasticsearch.class.getName())
          .log(System.Logger.Level.WARNING, "could not delete " + root + ": " + e);
    }
  }

  /** The uid and gid to run the server as, when this JVM is root. */
  private static Optional<int[]> userToRunAs() throws StartException {
    int uid;
    try {
      uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return Optional.empty(); // not Linux: assume not root
    }
    if (uid != 0) {
      return Optional.empty();
    }
    String name = System.getProperty(USER_PROPERTY, "nobody");
    try (Stream<String> lines = Files.lines(Path.of("/etc/passwd"))) {
      Optional<int[]> ids = lines.map(l -> l.split(":"))
          .filter(f -> f.length > 3 && f[0].equals(name))
          .map(f -> new int[] {Integer.parseInt(f[2]), Integer.parseInt(f[3])})
          .findFirst();
      if (ids.isEmpty()) {
        throw new StartException("this JVM runs as root, which Elasticsearch refuses, and there is no user '" + name
            + "' to run it as; create one or set -D" + USER_PROPERTY);
      }
      if (ids.get()[0] == 0) {
        throw new StartException("the user '" + name + "' is root, which Elasticsearch refuses");
      }
      asUser(ids.get()); // fails early when neither setpriv nor runuser exists
      return ids;
    } catch (IOException e) {
      throw new StartException("this JVM runs as root and /etc/passwd cannot be read to find '" + name + "': " + e);
    } catch (IllegalStateException e) {
      throw new StartException(e.getMessage());
    }
  }

  /** The command prefix that runs what follows as {@code user}. */
  private static List<String> asUser(int[] user) {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
      if (Files.isExecutable(Path.of(dir, "setpriv"))) {
        return List.of(dir + "/setpriv", "--reuid=" + user[0], "--regid=" + user[1], "--clear-groups", "--");
      }
    }
    throw new IllegalStateException("this JVM runs as root, which Elasticsearch refuses, and there is no setpriv "
        + "(util-linux) to run it as another user; install util-linux or run the tests as another user");
  }

  /** Creates the run directory with a writable copy of the distribution's config. */
  private static void prepare(Path home, Path run, Optional<int[]> user) throws IOException {
    Files.createDirectories(run.resolve("data"));
    Files.createDirectories(run.resolve("logs"));
    Files.createDirectories(run.resolve("tmp"));
    Path config = run.resolve("config");
    if (!Files.exists(config)) {
      copyTree(home.resolve("config"), config);
      // jvm.options names logs/ and data/ relative to the distribution, which the user may not write.
      Path options = config.resolve("jvm.options");
      String text = Files.readString(options)
          .replace("file=logs/", "file=" + run.resolve("logs") + "/")
          .replace("ErrorFile=logs/", "ErrorFile=" + run.resolve("logs") + "/")
          .replace("HeapDumpPath=data", "HeapDumpPath=" + run.resolve("data"));
      Files.writeString(options, text);
    }
    if (user.isPresent()) {
      try (Stream<Path> paths = Files.walk(run)) {
        for (Path p : paths.toList()) {
          Files.setAttribute(p, "unix:uid", user.get()[0]);
          Files.setAttribute(p, "unix:gid", user.get()[1]);
        }
      }
    }
  }

  /** Whether {@code user} can run the distribution and write the run directory. */
  private static boolean canUse(Path home, Path run, int[] user) throws IOException {
    List<String> probe = new ArrayList<>(asUser(user));
    probe.addAll(List.of("/bin/sh", "-c", "test -r \"$1\" && test -x \"$2\" && test -w \"$3\"", "probe",
        home.resolve("bin/elasticsearch").toString(), Path.of(System.getProperty("java.home"), "bin/java").toString(),
        run.resolve("data").toString()));
    try {
      Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
        target.toFile().setReadable(true, false);
        if (Files.isDirectory(p)) {
          target.toFile().setExecutable(true, false);
        }
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
