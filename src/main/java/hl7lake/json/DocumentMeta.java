package hl7lake.json;

import hl7lake.hl7.Warning;

import java.util.List;

/**
 * The {@code meta} object of a document: our ids and lineage, and what was found of the message.
 * {@code raw} is null when the message has no raw object (the {@code convert} command).
 */
public record DocumentMeta(String messageId, String door, String receivedAt, String raw, String sha256,
                           String version, String structure, String messageType, String triggerEvent,
                           String charset, List<Warning> warnings, int warningCount) {
}
