package hl7lake.json;

/**
 * Where the walk is: segment id and its occurrence in the message, field, repetition, component,
 * subcomponent (1-based, 0 = not there). Mutable and reused, so that the walk allocates nothing per
 * value; listeners copy what they keep.
 */
public final class Cursor {

    String segment = "";
    int segmentSequence;
    int field;
    int repetition;
    int component;
    int subcomponent;

    public String segment() {
        return segment;
    }

    public int segmentSequence() {
        return segmentSequence;
    }

    public int field() {
        return field;
    }

    public int repetition() {
        return repetition;
    }

    public int component() {
        return component;
    }

    public int subcomponent() {
        return subcomponent;
    }
}
