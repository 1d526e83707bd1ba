package hl7lake.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on 127.0.0.1 in front of a store (the embedded S3 server, DynamoDB Local) that can
 * freeze it the way a hung server or a black-holed network does: while frozen it accepts connections
 * and reads nothing, forwards nothing and answers nothing, without refusing or closing anything.
 * Thawing drops the connections of the frozen time (as a recovered network's peers do) and relays
 * again. Used by the frozen-store benchmark ({@code bench frozen}) and the deadline tests.
 */
public final class FreezingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private volatile boolean frozen;
    private volatile boolean closed;

    public FreezingProxy(URI target) throws IOException {
        this.target = new InetSocketAddress(target.getHost(), target.getPort());
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "freezing-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    public void freeze() {
        frozen = true;
    }

    public void thaw() {
        synchronized (gate) {
            sockets.forEach(FreezingProxy::closeQuietly);
            sockets.clear();
            frozen = false;
            gate.notifyAll();
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread start = new Thread(() -> relay(client), "freezing-proxy-connection");
                start.setDaemon(true);
                start.start();
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    private void relay(Socket client) {
        try {
            awaitThawed();
            Socket upstream = new Socket(target.getAddress(), target.getPort());
            sockets.add(upstream);
            Thread back = new Thread(() -> pump(upstream, client), "freezing-proxy-reply");
            back.setDaemon(true);
            back.start();
            pump(client, upstream);
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            while (true) {
                awaitThawed();
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                awaitThawed(); // read just before a freeze: held, never delivered
                if (from.isClosed()) {
                    break;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // one side closed, or the connection was dropped on thawing
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void awaitThawed() throws InterruptedException {
        synchronized (gate) {
            while (frozen) {
                gate.wait();
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        thaw();
    }
}
