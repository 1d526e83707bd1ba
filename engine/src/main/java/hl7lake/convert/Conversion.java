package hl7lake.convert;

import hl7lake.hl7.Hl7Rejection;
import hl7lake.hl7.MessageMetadata;
import hl7lake.hl7.MshHeader;
import hl7lake.hl7.Warning;

import java.nio.charset.Charset;
import java.util.List;

/** What became of one message: accepted with its document, or rejected with a reason. */
public sealed interface Conversion {

    /** The inbound MSH as far as it could be read; {@link MshHeader#UNREADABLE} when not at all. */
    MshHeader header();

    /** The charset the message was read in, which its ACK is to be sent in too. */
    Charset charset();

    String sha256();

    record Accepted(MshHeader header, Charset charset, String sha256, MessageMetadata metadata,
                    byte[] document, List<Warning> warnings, int warningCount) implements Conversion {
    }

    record Rejected(MshHeader header, Charset charset, String sha256, Hl7Rejection rejection)
            implements Conversion {
    }
}
