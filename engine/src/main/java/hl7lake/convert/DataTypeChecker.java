package hl7lake.convert;

import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.model.Primitive;
import ca.uhn.hl7v2.validation.PrimitiveTypeRule;
import hl7lake.hl7.DataTypeRules;
import hl7lake.hl7.ErrorLocation;
import hl7lake.hl7.Hl7Rejection;
import hl7lake.hl7.ValidationProfile;
import hl7lake.hl7.Warning;
import hl7lake.json.Cursor;
import hl7lake.json.PrimitiveListener;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies the data type rules to each value as the document is written: in {@code standard} a
 * broken rule is a warning (the first {@value #LISTED} listed, all counted), in {@code strict} it
 * stops the walk with a rejection, in {@code lenient} nothing is checked.
 */
final class DataTypeChecker implements PrimitiveListener {

    static final int LISTED = 100;

    private final DataTypeRules rules;
    private final ValidationProfile profile;
    private final List<Warning> warnings = new ArrayList<>();
    private int count;

    DataTypeChecker(DataTypeRules rules, ValidationProfile profile) {
        this.rules = rules;
        this.profile = profile;
    }

    @Override
    public void valued(Primitive primitive, String value, Cursor cursor) {
        PrimitiveTypeRule broken = rules.firstBroken(primitive, value);
        if (broken == null) {
            return;
        }
        ErrorLocation location = new ErrorLocation(cursor.segment(), cursor.segmentSequence(), cursor.field(),
                cursor.repetition(), cursor.component(), cursor.subcomponent());
        String rule = describe(primitive.getName(), broken);
        if (profile == ValidationProfile.STRICT) {
            throw new Violation(new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, location, rule));
        }
        count++;
        if (warnings.size() < LISTED) {
            warnings.add(new Warning(location, primitive.getName(), rule));
        }
    }

    List<Warning> warnings() {
        return List.copyOf(warnings);
    }

    int count() {
        return count;
    }

    /** HAPI's rule descriptions are templates that would quote the value; ours name the type and rule only. */
    private static String describe(String type, PrimitiveTypeRule rule) {
        String section = rule.getSectionReference();
        return type + " value does not conform to the " + type + " data type"
                + (section == null || section.isEmpty() ? "" : " (" + section + ")");
    }

    /** Carries a strict-profile rejection out of the walk. */
    static final class Violation extends RuntimeException {
        final Hl7Rejection rejection;

        Violation(Hl7Rejection rejection) {
            super(null, null, false, false);
            this.rejection = rejection;
        }
    }
}
