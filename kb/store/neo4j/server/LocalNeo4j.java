// A local Neo4j Community server for the tests and for trying the knowledge base on Neo4j.
//
// The DBMS runs embedded in this JVM with only a Bolt connector, on 127.0.0.1, TLS off, no HTTP.
// It prints one line, "ready bolt://127.0.0.1:PORT", once the default database answers, and stops
// cleanly on SIGTERM/SIGINT and when the process that started it exits. Failures print one line
// starting "error:" and exit 1.
//
// Compiled once by `make setup` into .neo4j/classes; started by kb/store/neo4j/local.py:
//   java -Xmx1g -cp '.neo4j/classes:.neo4j/lib/*' LocalNeo4j --port 7687 --data DIR [--auth true]
//        [--pagecache 256m]
// With --auth true, a new data folder's user neo4j has the initial password "neo4j"; local.py sets
// the password it was asked for over Bolt (the statement is in queries.py, where the Cypher check
// collects it). No Cypher is sent from here.

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

public final class LocalNeo4j {
    private static final String HOST = "127.0.0.1";

    public static void main(String[] args) {
        Map<String, String> options = parse(args);
        if (options == null) {
            fail("usage: LocalNeo4j --port PORT --data DIR [--auth true|false] [--pagecache 256m]");
        }
        int port = 0;
        try {
            port = Integer.parseInt(options.getOrDefault("port", "7687"));
        } catch (NumberFormatException e) {
            fail("--port must be a number, not " + options.get("port"));
        }
        if (port < 1 || port > 65535) {
            fail("--port must be between 1 and 65535, not " + port);
        }
        if (!options.containsKey("data")) {
            fail("--data DIR is required: the folder that holds the database");
        }
        Path home = Path.of(options.get("data")).toAbsolutePath();
        boolean auth = Boolean.parseBoolean(options.getOrDefault("auth", "false"));
        long pagecache = bytes(options.getOrDefault("pagecache", "256m"));

        // Neo4j would log a bind failure deep in its start-up; say it plainly first.
        if (!portFree(port)) {
            fail("port " + port + " on " + HOST + " is already in use: stop what listens there or choose another port");
        }
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            fail("cannot create the data folder " + home + ": " + e.getMessage());
        }

        Map<org.neo4j.graphdb.config.Setting<?>, Object> config = new HashMap<>();
        config.put(BoltConnector.enabled, true);
        config.put(BoltConnector.listen_address, new SocketAddress(HOST, port));
        config.put(BoltConnector.advertised_address, new SocketAddress(HOST, port));
        config.put(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED);
        config.put(HttpConnector.enabled, false);
        config.put(HttpsConnector.enabled, false);
        config.put(GraphDatabaseSettings.auth_enabled, auth);
        config.put(GraphDatabaseSettings.pagecache_memory, pagecache);
        config.put(GraphDatabaseSettings.udc_enabled, false);

        DatabaseManagementService dbms;
        try {
            dbms = new DatabaseManagementServiceBuilder(home).setConfig(config).build();
        } catch (RuntimeException e) {
            fail("Neo4j did not start: " + rootMessage(e) + " (its log: " + home.resolve("logs") + ")");
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "kb-neo4j-shutdown"));
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));

        try {
            GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            db.executeTransactionally("RETURN 1");
        } catch (RuntimeException e) {
            fail("Neo4j started but its database does not answer: " + rootMessage(e));
        }
        System.out.println("ready bolt://" + HOST + ":" + port);
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                return null;
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    private static long bytes(String text) {
        String t = text.trim().toLowerCase();
        try {
            if (t.endsWith("g")) {
                return ByteUnit.gibiBytes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("m")) {
                return ByteUnit.mebiBytes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            fail("--pagecache must be a size such as 256m or 1g, not " + text);
            return 0;
        }
    }

    private static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(HOST, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static void fail(String message) {
        System.out.println("error: " + message);
        System.out.flush();
        Runtime.getRuntime().halt(1);
    }
}
