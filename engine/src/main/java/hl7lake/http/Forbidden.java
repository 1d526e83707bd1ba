package hl7lake.http;

/** 403: the token is valid but lacks the role the request needs; the reason names the role, never the token. */
public final class Forbidden extends Exception {

    public Forbidden(String reason) {
        super(reason, null, false, false);
    }
}
