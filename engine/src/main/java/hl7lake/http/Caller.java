package hl7lake.http;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Who sent a request, from its verified token: the subject ({@code sub}) and the roles among the
 * token's Cognito groups ({@code cognito:groups}; other groups count for nothing). Each role is its
 * own right: {@code sender} POSTs messages, {@code reader} reads the API, {@code operator} replays
 * and reads the audit log (docs/decisions.md, "Roles from the token").
 */
public record Caller(String subject, Set<Role> roles) {

    /** The claim Cognito puts a user's groups in, in ID and access tokens. */
    public static final String GROUPS_CLAIM = "cognito:groups";

    public Caller {
        roles = roles.isEmpty() ? Set.of() : Set.copyOf(roles);
    }

    /** The rights a token can carry, each a Cognito group of the same name. */
    public enum Role {
        SENDER, READER, OPERATOR;

        /** The group's name, as in {@code cognito:groups} and the local issuer's {@code token --role}. */
        public String group() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The role a group names, or null for any other group. */
        public static Role of(String group) {
            for (Role role : values()) {
                if (role.group().equals(group)) {
                    return role;
                }
            }
            return null;
        }
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    /** {@link Forbidden} unless the caller has {@code role}. */
    public Caller require(Role role, String toDo) throws Forbidden {
        if (!has(role)) {
            throw new Forbidden("the " + role.group() + " role (Cognito group) is required to " + toDo);
        }
        return this;
    }

    /** The roles a {@code cognito:groups} claim names: a list of group names (or one name); anything else, none. */
    static Set<Role> roles(Object groups) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        if (groups instanceof Collection<?> names) {
            for (Object name : names) {
                Role role = name instanceof String group ? Role.of(group) : null;
                if (role != null) {
                    roles.add(role);
                }
            }
        } else if (groups instanceof String group && Role.of(group) != null) {
            roles.add(Role.of(group));
        }
        return roles;
    }
}
