package hl7lake.mllp;

/**
 * The content of one MLLP frame ({@code 0x0B … 0x1C}): the message bytes; or, for a frame over the
 * size limit, only its first bytes (enough to address an ACK) and {@code oversize} with its length;
 * or, for a frame {@code shed} because the bytes buffered over all connections reached their cap,
 * only its first bytes (not processed: the sender sends it again).
 */
public record MllpFrame(byte[] bytes, boolean oversize, long length, boolean shed) {

    public MllpFrame(byte[] bytes, boolean oversize, long length) {
        this(bytes, oversize, length, false);
    }

    static MllpFrame whole(byte[] bytes) {
        return new MllpFrame(bytes, false, bytes.length);
    }

    static MllpFrame shed(byte[] head, long length) {
        return new MllpFrame(head, false, length, true);
    }
}
