package hl7lake.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.lake.LakeKeys;
import hl7lake.lake.MessageIds;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit log of the query API, an append-only zone of the lake: one object per request that
 * returned patient data, {@code audit/day=<yyyy-mm-dd>/<audit_id>.json}, written (with
 * {@code If-None-Match: *}, so never over another) before the response is sent: who (the token's
 * subject), when, what (the endpoint and view), which ids, from where. The service's IAM role may
 * put and get objects there, never delete them (the stack).
 */
public final class AuditLog {

    /** The audit zone's prefix. */
    public static final String ZONE = "audit/";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final S3Client s3;
    private final String bucket;
    private final Clock clock;

    public AuditLog(S3Client s3, String bucket, Clock clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.clock = clock;
    }

    /** {@code audit/day=<day>/}: one day's entries. */
    static String prefix(LocalDate day) {
        return ZONE + LakeKeys.PARTITION + "=" + day + "/";
    }

    /** Appends an entry; returns its id. Throws when it could not be kept: then nothing is answered but 503. */
    public String append(String subject, String endpoint, String view, Map<String, List<String>> ids, String remote,
                         String forwardedFor) {
        Instant now = clock.instant();
        String auditId = MessageIds.next();
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("audit_id", auditId);
        entry.put("at", now.toString());
        entry.put("subject", subject);
        entry.put("endpoint", endpoint);
        if (view != null) {
            entry.put("view", view);
        }
        entry.put("ids", ids);
        entry.put("remote", remote);
        if (forwardedFor != null && !forwardedFor.isBlank()) {
            entry.put("forwarded_for", forwardedFor);
        }
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(entry);
        } catch (Exception e) {
            throw new IllegalStateException("an audit entry could not be written", e);
        }
        String key = prefix(LocalDate.ofInstant(now, ZoneOffset.UTC)) + auditId + ".json";
        s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/json").ifNoneMatch("*"),
                RequestBody.fromBytes(body));
        return auditId;
    }

    /** One page of a day's entries, oldest first (their ids are time-ordered), and the token of the next. */
    Page page(LocalDate day, int limit, String s3Token) {
        ListObjectsV2Response listing = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix(day)).maxKeys(limit)
                .continuationToken(s3Token));
        List<Object> entries = new ArrayList<>();
        for (S3Object object : listing.contents()) {
            try {
                entries.add(JSON.readValue(s3.getObjectAsBytes(b -> b.bucket(bucket).key(object.key())).asByteArray(),
                        Map.class));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("audit entry " + object.key() + " is not JSON", e);
            }
        }
        return new Page(entries, Boolean.TRUE.equals(listing.isTruncated()) ? listing.nextContinuationToken() : null);
    }

    record Page(List<Object> entries, String next) {
    }
}
