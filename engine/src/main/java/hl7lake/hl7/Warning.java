package hl7lake.hl7;

/** A data type rule a value breaks, kept in {@code meta.warnings}: where and which rule, never the value. */
public record Warning(ErrorLocation location, String dataType, String rule) {
}
