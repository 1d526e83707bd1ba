package hl7lake.hl7;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Splits a byte stream of ER7 into messages, streaming, in memory bounded by the message size limit:
 * CR, LF or CRLF between segments, blank lines anywhere, FHS/BHS/BTS/FTS envelopes (counts checked,
 * control ids kept). A message starts at each MSH and runs to the next MSH, envelope segment or the end.
 * Bytes are not decoded here: each message declares its own charset, and ER7's separators are ASCII.
 */
public final class Er7StreamSplitter implements Iterator<SplitMessage> {

    private static final int BUFFER = 64 * 1024;

    private final InputStream in;
    private final int maxMessageBytes;
    private final byte[] buffer = new byte[BUFFER];
    private int position;
    private int limit;
    private long streamOffset;
    private boolean endOfStream;

    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private long lineOffset;
    private boolean lineTooLong;

    private final ByteArrayOutputStream current = new ByteArrayOutputStream(4096);
    private boolean inMessage;
    private boolean currentOversize;
    private long currentOffset;
    private long currentEnd;

    private SplitMessage next;
    private int index;

    private String fileControlId = "";
    private final List<String> batchControlIds = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private String batchControlId;
    private int batchMessages;
    private int batches;
    private boolean fileOpen;
    private boolean fileClosed;

    public Er7StreamSplitter(InputStream in, int maxMessageBytes) {
        this.in = in;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            next = advance();
        }
        return next != null;
    }

    @Override
    public SplitMessage next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        SplitMessage message = next;
        next = null;
        return message;
    }

    /** The envelope, complete once {@link #hasNext()} has returned false. */
    public BatchSummary summary() {
        return new BatchSummary(fileControlId, List.copyOf(batchControlIds), index, batches, List.copyOf(problems));
    }

    private SplitMessage advance() {
        try {
            while (readLine()) {
                SplitMessage done = onLine();
                if (done != null) {
                    return done;
                }
            }
            SplitMessage last = finishMessage();
            if (last == null) {
                endOfInput();
            }
            return last;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SplitMessage onLine() {
        byte[] bytes = line.toByteArray();
        if (lineOffset == 0 && Bom.length(bytes) > 0) {
            // a UTF-8 byte order mark opens the file: not content; the first message starts after it
            bytes = Bom.strip(bytes);
            lineOffset = 3;
        }
        if (isBlank(bytes)) {
            return null;
        }
        String id = segmentId(bytes);
        switch (id) {
            case "MSH" -> {
                SplitMessage done = finishMessage();
                startMessage();
                append(bytes);
                return done;
            }
            case "FHS", "BHS", "BTS", "FTS" -> {
                SplitMessage done = finishMessage();
                envelope(id, bytes);
                return done;
            }
            default -> {
                if (!inMessage) {
                    startMessage(); // a fragment: text before any MSH, kept so that it is rejected, not lost
                }
                append(bytes);
                return null;
            }
        }
    }

    private void startMessage() {
        inMessage = true;
        currentOversize = lineTooLong;
        current.reset();
        currentOffset = lineOffset;
    }

    private void append(byte[] bytes) {
        currentEnd = streamOffset;
        if (currentOversize || lineTooLong || current.size() + bytes.length + 1 > maxMessageBytes) {
            currentOversize = true;
            current.reset();
            return;
        }
        if (current.size() > 0) {
            current.write('\r');
        }
        current.write(bytes, 0, bytes.length);
    }

    private SplitMessage finishMessage() {
        if (!inMessage) {
            return null;
        }
        inMessage = false;
        index++;
        if (batchControlId != null) {
            batchMessages++;
        }
        byte[] bytes = currentOversize ? null : current.toByteArray();
        current.reset();
        return new SplitMessage(index, currentOffset, currentEnd - currentOffset, bytes, currentOversize,
                batchControlId);
    }

    private void envelope(String id, byte[] bytes) {
        String[] fields = fields(bytes);
        switch (id) {
            case "FHS" -> {
                fileOpen = true;
                fileControlId = field(fields, 11);
            }
            case "BHS" -> {
                if (batchControlId != null) {
                    problems.add("batch " + batches + " has no BTS before the next BHS");
                }
                batches++;
                batchMessages = 0;
                batchControlId = field(fields, 11);
                batchControlIds.add(batchControlId);
            }
            case "BTS" -> {
                checkCount("BTS-1 of batch " + batches, field(fields, 1), batchMessages);
                batchControlId = null;
            }
            default -> { // FTS
                if (batchControlId != null) {
                    problems.add("batch " + batches + " has no BTS before the FTS");
                    batchControlId = null;
                }
                checkCount("FTS-1", field(fields, 1), batches);
                fileClosed = true;
            }
        }
    }

    private void checkCount(String what, String declared, int actual) {
        if (declared.isEmpty()) {
            return;
        }
        String digits = declared.trim();
        if (!digits.matches("\\d{1,9}")) {
            problems.add(what + " is not a count");
        } else if (Integer.parseInt(digits) != actual) {
            problems.add(what + " declares " + Integer.parseInt(digits) + " but " + actual + " were found");
        }
    }

    private void endOfInput() {
        if (batchControlId != null) {
            problems.add("batch " + batches + " has no BTS");
            batchControlId = null;
        }
        if (fileOpen && !fileClosed) {
            problems.add("the file has an FHS but no FTS");
        }
    }

    /** Reads the next line into {@link #line}; false at the end of the stream. */
    private boolean readLine() throws IOException {
        line.reset();
        lineTooLong = false;
        lineOffset = streamOffset;
        boolean any = false;
        while (position < limit || fill()) {
            any = true;
            int end = position;
            while (end < limit && buffer[end] != '\r' && buffer[end] != '\n') {
                end++;
            }
            keep(position, end);
            streamOffset += end - position;
            position = end;
            if (end < limit) {
                byte terminator = buffer[position++];
                streamOffset++;
                if (terminator == '\r' && (position < limit || fill()) && buffer[position] == '\n') {
                    position++;
                    streamOffset++;
                }
                return true;
            }
        }
        return any;
    }

    /** Keeps bytes of the current line up to the size limit; past it the line is only measured. */
    private void keep(int from, int to) {
        int room = maxMessageBytes - line.size();
        int length = to - from;
        if (length > room) {
            lineTooLong = true;
            length = Math.max(0, room);
        }
        line.write(buffer, from, length);
    }

    private boolean fill() throws IOException {
        if (endOfStream) {
            return false;
        }
        int read = in.readNBytes(buffer, 0, buffer.length);
        if (read <= 0) {
            endOfStream = true;
            return false;
        }
        position = 0;
        limit = read;
        return true;
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\u000B' && b != 0x1C) {
                return false;
            }
        }
        return true;
    }

    private static String segmentId(byte[] bytes) {
        if (bytes.length < 3 || (bytes.length > 3 && Character.isLetterOrDigit(bytes[3]))) {
            return "";
        }
        return new String(bytes, 0, 3, StandardCharsets.ISO_8859_1);
    }

    /** Envelope fields, numbered as HL7 does (for FHS/BHS, field 1 is the separator itself). */
    private static String[] fields(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (text.length() < 4) {
            return new String[] {text};
        }
        String[] parts = MshHeader.split(text, text.charAt(3));
        boolean header = text.startsWith("FHS") || text.startsWith("BHS");
        if (!header) {
            return parts;
        }
        String[] shifted = new String[parts.length + 1];
        shifted[0] = parts[0];
        shifted[1] = String.valueOf(text.charAt(3));
        System.arraycopy(parts, 1, shifted, 2, parts.length - 1);
        return shifted;
    }

    private static String field(String[] fields, int number) {
        return number < fields.length ? fields[number] : "";
    }
}
