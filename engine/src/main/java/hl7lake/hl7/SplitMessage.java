package hl7lake.hl7;

/**
 * One message cut from a stream: its position (1-based index, byte offset and length of the exact
 * bytes in the stream) and its segments joined by CR. {@code bytes} is null when the message was
 * larger than the limit (only its position is kept). A fragment is text outside any message (no MSH
 * before it): it is handed on so that it is rejected and kept, never dropped.
 */
public record SplitMessage(int index, long offset, long length, byte[] bytes, boolean oversize,
                           String batchControlId) {

    public boolean fragment() {
        return bytes != null && !(bytes.length >= 3 && bytes[0] == 'M' && bytes[1] == 'S' && bytes[2] == 'H');
    }
}
