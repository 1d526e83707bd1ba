package hl7lake.hl7;

import ca.uhn.hl7v2.model.Primitive;
import ca.uhn.hl7v2.validation.PrimitiveTypeRule;
import ca.uhn.hl7v2.validation.ValidationContext;
import ca.uhn.hl7v2.validation.builder.support.DefaultValidationWithoutTNBuilder;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HAPI's default data type rules (dates, times, numbers, set ids, id lengths), applied to values
 * after parsing rather than during it, so that a violation can be a warning instead of an exception.
 * The TN (US phone number) rule is left out: it is not valid outside North America. HAPI's trimming
 * rules are not applied: values are kept exactly as received.
 */
public final class DataTypeRules {

    private final ValidationContext context =
            ValidationContextFactory.fromBuilder(new DefaultValidationWithoutTNBuilder());
    private final Map<Class<?>, List<PrimitiveTypeRule>> byType = new ConcurrentHashMap<>();

    /** The first rule {@code value} of {@code primitive} breaks, or null. */
    public PrimitiveTypeRule firstBroken(Primitive primitive, String value) {
        for (PrimitiveTypeRule rule : rulesFor(primitive)) {
            if (!rule.test(value)) {
                return rule;
            }
        }
        return null;
    }

    private List<PrimitiveTypeRule> rulesFor(Primitive primitive) {
        // Keyed by class: Primitive.getName() rebuilds the name from the class name on every call.
        List<PrimitiveTypeRule> rules = byType.get(primitive.getClass());
        if (rules == null) {
            // All messages are held in the canonical v2.5 model, so the v2.5 rules are the ones that apply.
            Collection<PrimitiveTypeRule> found = context.getPrimitiveRules("2.5", primitive.getName(), primitive);
            rules = List.copyOf(found);
            byType.put(primitive.getClass(), rules);
        }
        return rules;
    }
}
