package hl7lake.local.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.EOFException;

/**
 * Decodes S3's {@code aws-chunked} content encoding, which the AWS SDK uses to stream a PutObject
 * body: {@code <hex size>[;chunk-signature=…]\r\n<bytes>\r\n} repeated, a zero-size chunk, then
 * optional trailers (checksums) and an empty line. Signatures and checksums are not verified: the
 * local server listens on loopback only.
 */
final class AwsChunkedInputStream extends InputStream {

    private final InputStream in;
    private long left;
    private boolean done;

    AwsChunkedInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (done) {
            return -1;
        }
        if (left == 0) {
            left = nextChunkSize();
            if (left == 0) {
                while (!line().isEmpty()) {
                    // trailers (x-amz-checksum-…): read and dropped
                }
                done = true;
                return -1;
            }
        }
        int n = in.read(buffer, offset, (int) Math.min(length, left));
        if (n < 0) {
            throw new EOFException("aws-chunked body ended inside a chunk");
        }
        left -= n;
        if (left == 0) {
            line(); // the CRLF after the chunk's bytes
        }
        return n;
    }

    private long nextChunkSize() throws IOException {
        String header = line();
        int semicolon = header.indexOf(';');
        return Long.parseLong((semicolon < 0 ? header : header.substring(0, semicolon)).trim(), 16);
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        if (b < 0 && line.isEmpty()) {
            return "";
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
