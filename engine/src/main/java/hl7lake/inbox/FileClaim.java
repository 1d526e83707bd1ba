package hl7lake.inbox;

/** This instance's hold on one version of one drop file: its stable file id and how often it was tried. */
public record FileClaim(String claimId, String fileKey, String etag, String fileId, String owner, int attempts) {
}
