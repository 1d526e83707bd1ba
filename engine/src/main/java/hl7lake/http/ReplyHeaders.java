package hl7lake.http;

import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

import java.util.HashSet;
import java.util.Set;

/**
 * The HTTP door's header filter (its platform-http endpoint's {@code headerFilterStrategy}): no
 * request data becomes an exchange header (request headers, query parameters, form fields are all
 * kept out; the door reads the two it needs from the request itself), and no exchange header
 * becomes a response header unless the door set it for this reply ({@link #allow}). So nothing a
 * client sends is ever reflected into a response header, whatever its name (docs/decisions.md).
 */
public final class ReplyHeaders implements HeaderFilterStrategy {

    private static final String ALLOWED = "hl7lake.http.replyHeaders";

    /** Lets {@code name}, as the door set it on the exchange, out as a response header of this reply. */
    @SuppressWarnings("unchecked")
    static void allow(Exchange exchange, String name) {
        Set<String> names = exchange.getProperty(ALLOWED, Set.class);
        if (names == null) {
            names = new HashSet<>(4);
            exchange.setProperty(ALLOWED, names);
        }
        names.add(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** Exchange to response: true (left out) unless the door set this header for this reply. */
    @Override
    public boolean applyFilterToCamelHeaders(String name, Object value, Exchange exchange) {
        Set<?> names = exchange == null ? null : exchange.getProperty(ALLOWED, Set.class);
        return names == null || !names.contains(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** Request to exchange: always left out. */
    @Override
    public boolean applyFilterToExternalHeaders(String name, Object value, Exchange exchange) {
        return true;
    }
}
