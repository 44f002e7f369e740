package de.osnabrueck.opendata.solr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Runs a real Solr 9 node for the portal's local stack.
 *
 * <p>JettySolrRunner binds to 127.0.0.1 only, which is what the project wants: no service of the
 * local stack listens beyond loopback. Usage: {@code EmbeddedSolr <solr-home> <port>}. The solr
 * home holds {@code solr.xml} and one directory per core (core discovery).
 */
public final class EmbeddedSolr {

  private EmbeddedSolr() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: EmbeddedSolr <solr-home> <port>");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    if (!Files.isRegularFile(home.resolve("solr.xml"))) {
      System.err.println("no solr.xml in " + home);
      System.exit(2);
    }
    int port = Integer.parseInt(args[1]);
    JettyConfig config =
        JettyConfig.builder().setPort(port).setContext("/solr").stopAtShutdown(true).build();
    JettySolrRunner runner = new JettySolrRunner(home.toString(), config);
    runner.start();
    System.out.println("Solr ready at " + runner.getBaseUrl());

    // Block until the JVM is told to stop; Jetty's own shutdown hook closes the cores.
    new CountDownLatch(1).await();
  }
}
