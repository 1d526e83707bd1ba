package hl7lake.convert;

import java.util.LinkedHashSet;
import java.util.Set;

/** Every field, component and subcomponent value of four characters or more in an ER7 text, split by hand. */
final class Values {

    private Values() {
    }

    static Set<String> of(String er7) {
        Set<String> values = new LinkedHashSet<>();
        for (String segment : er7.split("[\r\n]+")) {
            if (segment.length() < 4) {
                continue;
            }
            for (String value : segment.substring(4).split("[|^~&]")) {
                if (value.length() >= 4) {
                    values.add(value);
                }
            }
        }
        return values;
    }
}
