package hl7lake.json;

import ca.uhn.hl7v2.model.Primitive;

/** Told of every valued primitive as the document is written, with where it is; used to check data types in the same walk. */
@FunctionalInterface
public interface PrimitiveListener {

    PrimitiveListener NONE = (primitive, value, cursor) -> { };

    void valued(Primitive primitive, String value, Cursor cursor);
}
