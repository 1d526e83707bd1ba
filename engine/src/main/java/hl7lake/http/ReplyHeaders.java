package hl7lake.http;

import hl7lake.Hl7LakeConstants;
import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

import java.util.Locale;
import java.util.Set;

/**
 * The HTTP door's header filter (its platform-http endpoint's {@code headerFilterStrategy}): no
 * request data becomes an exchange header (request headers, query parameters, form fields are all
 * kept out; the door reads the two it needs from the request itself), and no exchange header becomes
 * a response header but the door's own reply headers, {@link Hl7LakeConstants#RETRY_AFTER} and
 * {@link Hl7LakeConstants#WWW_AUTHENTICATE} (platform-http writes the status and Content-Type
 * itself). So nothing a client sends is ever reflected into a response header (docs/decisions.md).
 */
public final class ReplyHeaders implements HeaderFilterStrategy {

    private static final Set<String> REPLY = Set.of(Hl7LakeConstants.RETRY_AFTER.toLowerCase(Locale.ROOT),
            Hl7LakeConstants.WWW_AUTHENTICATE.toLowerCase(Locale.ROOT));

    private final Set<String> reply;

    /** The door's and the API's: only its reply headers go out. */
    public ReplyHeaders() {
        this(Set.of());
    }

    /** Also these headers (set by the route's own steps, never copied from a request), e.g. a page's security headers. */
    public ReplyHeaders(Set<String> also) {
        Set<String> names = new java.util.HashSet<>(REPLY);
        also.forEach(name -> names.add(name.toLowerCase(Locale.ROOT)));
        this.reply = Set.copyOf(names);
    }

    /** Exchange to response: true (left out) unless it is one of the door's reply headers. */
    @Override
    public boolean applyFilterToCamelHeaders(String name, Object value, Exchange exchange) {
        return !reply.contains(name.toLowerCase(Locale.ROOT));
    }

    /** Request to exchange: always left out. */
    @Override
    public boolean applyFilterToExternalHeaders(String name, Object value, Exchange exchange) {
        return true;
    }
}
