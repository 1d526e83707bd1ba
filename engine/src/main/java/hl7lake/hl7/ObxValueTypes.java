package hl7lake.hl7;

import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.parser.ModelClassFactory;

/**
 * HAPI types OBX-5 by OBX-2 while it parses, and fails without saying which OBX when OBX-2 is
 * missing (OBX-5 valued) or names no data type. This finds that OBX, so the rejection names
 * {@code OBX(n)-2} with the segment's position among the message's OBX segments.
 */
final class ObxValueTypes {

    private ObxValueTypes() {
    }

    /** The first OBX whose OBX-2 HAPI cannot type OBX-5 with, as a rejection; null when there is none. */
    static Hl7Rejection firstProblem(String er7, MshHeader header, ModelClassFactory factory) {
        char fieldSep = header.fieldSeparator();
        String prefix = "OBX" + fieldSep;
        int occurrence = 0;
        int start = 0;
        while (start < er7.length()) {
            int end = er7.indexOf('\r', start);
            if (end < 0) {
                end = er7.length();
            }
            if (er7.startsWith(prefix, start)) {
                occurrence++;
                String[] fields = MshHeader.split(er7.substring(start, end), fieldSep);
                String type = MshHeader.split(fields.length > 2 ? fields[2] : "", header.componentSeparator())[0];
                boolean valued = fields.length > 5 && !fields[5].isEmpty();
                ErrorLocation location = new ErrorLocation("OBX", occurrence, 2, 0, 0, 0);
                if (type.isEmpty() && valued) {
                    return new Hl7Rejection(ErrorCode.REQUIRED_FIELD_MISSING, location,
                            "OBX-2 value type is required when OBX-5 is valued");
                }
                if (!type.isEmpty() && !isDataType(type, factory)) {
                    return new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, location,
                            "OBX-2 value type is not an HL7 v2.5 data type");
                }
            }
            start = end + 1;
        }
        return null;
    }

    private static boolean isDataType(String type, ModelClassFactory factory) {
        try {
            return factory.getTypeClass(type, "2.5") != null;
        } catch (HL7Exception | RuntimeException e) {
            return false;
        }
    }
}
