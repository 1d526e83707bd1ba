package hl7lake.mllp;

import hl7lake.ingest.Acknowledgements;

import java.util.List;

/**
 * What the MLLP route answers one frame with: its ACKs, each written as its own MLLP frame, in order,
 * on the connection the frame came in on (enhanced mode may ask for an accept and an application
 * acknowledgement, or for none). Always a value, never null, so that the encoder sees every answer.
 */
public record MllpReply(List<byte[]> acks) {

    public static MllpReply of(List<Acknowledgements.Reply> replies) {
        return new MllpReply(replies.stream().map(Acknowledgements.Reply::bytes).toList());
    }
}
