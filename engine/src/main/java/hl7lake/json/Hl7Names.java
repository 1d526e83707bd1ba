package hl7lake.json;

import ca.uhn.hl7v2.model.Composite;
import ca.uhn.hl7v2.model.GenericSegment;
import ca.uhn.hl7v2.model.Segment;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON keys for HAPI's v2.5 classes, worked out once per class and cached: segment fields from
 * {@link Segment#getNames()}, composite components from HAPI's numbered getters
 * ({@code getXpn1_FamilyName} → {@code family_name}). A position with no v2.5 name (Z-segments,
 * fields or components beyond the definition) is keyed by its number.
 */
public final class Hl7Names {

    private static final Pattern COMPONENT_GETTER = Pattern.compile("get[A-Za-z]+?(\\d+)_(\\w+)");
    private static final String[] NONE = new String[0];

    private final Map<Class<?>, String[]> names = new ConcurrentHashMap<>();
    private final Map<String, String> groupKeys = new ConcurrentHashMap<>();
    private final Map<String, String> typedKeys = new ConcurrentHashMap<>();

    /**
     * Keys of a segment's v2.5-defined fields, index 0 = field 1. Fields a message adds beyond the
     * definition (HAPI appends them to the instance, without a name) are not among them.
     */
    public String[] fields(Segment segment) {
        if (segment instanceof GenericSegment) {
            return NONE;
        }
        return names.computeIfAbsent(segment.getClass(), type -> unique(fieldNames(segment)));
    }

    /** Keys of a composite's defined components, index 0 = component 1. */
    public String[] components(Composite composite) {
        return names.computeIfAbsent(composite.getClass(), Hl7Names::componentNames);
    }

    /** Segment and group keys are their HL7 names in lower case: PID → pid, PATIENT_RESULT → patient_result. */
    public String structure(String name) {
        return groupKeys.computeIfAbsent(name, n -> n.toLowerCase(Locale.ROOT));
    }

    /** The key of the typed object beside a field of type varies: observation_value → observation_value_typed. */
    public String typed(String fieldKey) {
        return typedKeys.computeIfAbsent(fieldKey, k -> k + "_typed");
    }

    public static String position(int oneBased) {
        return Integer.toString(oneBased);
    }

    private static String[] fieldNames(Segment segment) {
        String[] raw = segment.getNames();
        int defined = 0;
        while (defined < raw.length && raw[defined] != null) {
            defined++;
        }
        String[] keys = new String[defined];
        for (int i = 0; i < defined; i++) {
            String key = SnakeCase.ofWords(raw[i]);
            keys[i] = key.isEmpty() ? position(i + 1) : key;
        }
        return keys;
    }

    private static String[] componentNames(Class<?> type) {
        Map<Integer, String> byNumber = new HashMap<>();
        for (Method method : type.getMethods()) {
            if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            Matcher matcher = COMPONENT_GETTER.matcher(method.getName());
            if (matcher.matches()) {
                byNumber.put(Integer.parseInt(matcher.group(1)), SnakeCase.ofCamelCase(matcher.group(2)));
            }
        }
        int count = byNumber.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        String[] keys = new String[count];
        for (int i = 0; i < count; i++) {
            keys[i] = byNumber.getOrDefault(i + 1, position(i + 1));
        }
        return unique(keys);
    }

    /** Two positions with one name would collide in a JSON object: the later ones get their number appended. */
    private static String[] unique(String[] keys) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < keys.length; i++) {
            if (!seen.add(keys[i])) {
                keys[i] = keys[i] + "_" + (i + 1);
                seen.add(keys[i]);
            }
        }
        return keys;
    }
}
