package hl7lake.mllp;

/**
 * The content of one MLLP frame ({@code 0x0B … 0x1C}): the message bytes; or, for a frame over the
 * size limit, only its first bytes (enough to address an ACK) and {@code oversize} with its length.
 */
public record MllpFrame(byte[] bytes, boolean oversize, long length) {

    static MllpFrame whole(byte[] bytes) {
        return new MllpFrame(bytes, false, bytes.length);
    }
}
