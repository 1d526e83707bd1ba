package hl7lake.mllp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A raw MLLP client for tests: writes exactly the bytes it is given, reads framed replies. */
public final class MllpSocket implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public MllpSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.socket.setSoTimeout(30_000);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public MllpSocket(int port) throws IOException {
        this(new Socket("127.0.0.1", port));
    }

    public static byte[] frame(byte[] message) {
        return MllpFrameEncoder.frame(message);
    }

    public static byte[] frame(String message) {
        return frame(message.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** One byte per write, flushed each time: the frame arrives in as many TCP segments as it has bytes. */
    public void dribble(byte[] bytes) throws IOException {
        socket.setTcpNoDelay(true);
        for (byte b : bytes) {
            out.write(b);
            out.flush();
        }
    }

    /** The next reply's content (between 0x0B and 0x1C), or null when the server closed the connection. */
    public String read() throws IOException {
        int b;
        while ((b = in.read()) != 0x0B) {
            if (b < 0) {
                return null;
            }
        }
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        while ((b = in.read()) != 0x1C) {
            if (b < 0) {
                throw new IOException("connection closed inside a reply");
            }
            reply.write(b);
        }
        if (in.read() != 0x0D) {
            throw new IOException("a reply frame without its final CR");
        }
        return reply.toString(StandardCharsets.ISO_8859_1);
    }

    /** Writes a frame and reads its reply. */
    public String read(byte[] frame) throws IOException {
        write(frame);
        return read();
    }

    /** True when the server closes the connection without another reply. */
    public boolean closedByServer() throws IOException {
        return read() == null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
