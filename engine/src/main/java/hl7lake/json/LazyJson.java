package hl7lake.json;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.Arrays;

/**
 * A JsonGenerator front that writes an object's or array's opening only when the first value
 * inside it is written. An HL7 structure can only be known to be empty by walking it, so this lets
 * one walk both decide and write: "empty fields are left out" costs no second pass.
 */
final class LazyJson {

    private final JsonGenerator generator;
    private String[] keys = new String[16];
    private boolean[] arrays = new boolean[16];
    private int depth;
    private int written;

    LazyJson(JsonGenerator generator) {
        this.generator = generator;
    }

    /** Opens an object; {@code key} is null inside an array. */
    void openObject(String key) {
        push(key, false);
    }

    void openArray(String key) {
        push(key, true);
    }

    void close() throws IOException {
        depth--;
        if (written > depth) {
            written--;
            if (arrays[depth]) {
                generator.writeEndArray();
            } else {
                generator.writeEndObject();
            }
        }
    }

    void string(String key, String value) throws IOException {
        flush();
        if (key != null) {
            generator.writeFieldName(key);
        }
        generator.writeString(value);
    }

    void number(String key, double value) throws IOException {
        flush();
        if (key != null) {
            generator.writeFieldName(key);
        }
        generator.writeNumber(value);
    }

    void number(String key, int value) throws IOException {
        flush();
        if (key != null) {
            generator.writeFieldName(key);
        }
        generator.writeNumber(value);
    }

    void nullValue(String key) throws IOException {
        flush();
        if (key != null) {
            generator.writeFieldName(key);
        }
        generator.writeNull();
    }

    private void push(String key, boolean array) {
        if (depth == keys.length) {
            keys = Arrays.copyOf(keys, depth * 2);
            arrays = Arrays.copyOf(arrays, depth * 2);
        }
        keys[depth] = key;
        arrays[depth] = array;
        depth++;
    }

    private void flush() throws IOException {
        while (written < depth) {
            if (keys[written] != null) {
                generator.writeFieldName(keys[written]);
            }
            if (arrays[written]) {
                generator.writeStartArray();
            } else {
                generator.writeStartObject();
            }
            written++;
        }
    }
}
