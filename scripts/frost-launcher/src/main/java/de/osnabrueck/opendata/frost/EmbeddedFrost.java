package de.osnabrueck.opendata.frost;

import de.fraunhofer.iosb.ilt.frostserver.messagebus.MessageBusFactory;
import de.fraunhofer.iosb.ilt.frostserver.persistence.PersistenceManagerFactory;
import de.fraunhofer.iosb.ilt.frostserver.settings.CoreSettings;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.util.Properties;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * Runs FROST-Server's engine behind an embedded Tomcat bound to loopback.
 *
 * <p>Arguments: Tomcat base directory, port, settings file (FROST's own setting names,
 * e.g. {@code persistence.db.url}). The service answers under {@code /FROST-Server/v1.1}.
 */
public final class EmbeddedFrost {

    static final String CONTEXT_PATH = "/FROST-Server";

    private EmbeddedFrost() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: EmbeddedFrost <base-dir> <port> <settings.properties>");
            System.exit(2);
        }
        File base = new File(args[0]).getAbsoluteFile();
        File temp = new File(base, "temp");
        temp.mkdirs();
        Properties properties = load(args[2]);
        properties.putIfAbsent("tempPath", temp.getPath());
        CoreSettings settings = new CoreSettings(properties);
        // Creates or upgrades FROST's tables (Liquibase) before the first request.
        PersistenceManagerFactory.init(settings);
        MessageBusFactory.createMessageBus(settings);

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.getPath());
        tomcat.setHostname("127.0.0.1");
        Connector connector = tomcat.getConnector();
        connector.setPort(Integer.parseInt(args[1]));
        connector.setProperty("address", "127.0.0.1");
        Context context = tomcat.addContext(CONTEXT_PATH, base.getPath());
        Tomcat.addServlet(context, "frost", new FrostServlet(settings));
        context.addServletMappingDecoded("/*", "frost");

        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(tomcat)));
        tomcat.start();
        tomcat.getServer().await();
    }

    private static Properties load(String path) throws Exception {
        Properties properties = new Properties();
        try (InputStream in = new FileInputStream(path)) {
            properties.load(in);
        }
        return properties;
    }

    private static void stop(Tomcat tomcat) {
        try {
            tomcat.stop();
            tomcat.destroy();
        } catch (Exception e) {
            e.printStackTrace();
        }
    }
}
