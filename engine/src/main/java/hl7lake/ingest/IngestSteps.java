package hl7lake.ingest;

import ca.uhn.hl7v2.ErrorCode;
import hl7lake.catalog.CatalogLimits;
import hl7lake.catalog.ErrorRecord;
import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.MessageRecord;
import hl7lake.catalog.PatientCrossReference;
import hl7lake.catalog.PatientLink;
import hl7lake.convert.Conversion;
import hl7lake.convert.MessageConverter;
import hl7lake.convert.Receipt;
import hl7lake.config.StorageDeadline;
import hl7lake.hl7.ErrorLocation;
import hl7lake.hl7.ContentHash;
import hl7lake.hl7.Hl7Rejection;
import hl7lake.hl7.MessageMetadata;
import hl7lake.lake.LakeKeys;
import hl7lake.lake.LakeWriter;
import hl7lake.lake.MessageIds;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The steps of the pipeline route ({@code routes/ingest.yaml}), one method each. Writes happen in
 * the order: raw, then staging + catalog or error object + error record; each is repeatable, so a
 * retry after a failure at any step creates no second entry. Every storage call of a message is
 * bounded by its one deadline ({@link StorageDeadline}); a message the catalog cannot take
 * ({@link CatalogLimits}) or the store refuses as invalid is rejected, never retried as an outage.
 * Logs carry ids, sizes, keys and reasons only.
 */
public final class IngestSteps {

    private static final Logger LOG = LoggerFactory.getLogger(IngestSteps.class);

    private final MessageConverter converter;
    private final LakeWriter lake;
    private final MessageIndex index;
    private final PatientCrossReference patients;
    private final CatalogLimits limits;
    private final Duration deadlineBudget;

    /** {@code deadline}: how long a message may wait for storage in all ({@code hl7lake.storage.deadline-seconds}). */
    public IngestSteps(MessageConverter converter, LakeWriter lake, MessageIndex index, PatientCrossReference patients,
                       CatalogLimits limits, Duration deadline) {
        this.converter = converter;
        this.lake = lake;
        this.index = index;
        this.patients = patients;
        this.limits = limits;
        this.deadlineBudget = deadline;
    }

    /**
     * Gives the message its id: a new one, or the id its content was first stored under, whichever
     * door it came through (the claim is on {@link ContentHash}: segment terminators normalised; the
     * exact bytes keep their own sha256, the raw object's).
     */
    public Ingestion receive(@Body Inbound inbound) {
        long deadline = StorageDeadline.startingNow(deadlineBudget);
        Ingestion ingestion = StorageDeadline.within(deadline, () -> identify(inbound));
        ingestion.deadline(deadline);
        return ingestion;
    }

    private Ingestion identify(Inbound inbound) {
        String sha256 = MessageConverter.sha256(inbound.bytes());
        MessageIndex.ContentClaim claim = index.claimContent(ContentHash.sha256(inbound.bytes()), MessageIds.next());
        if (claim.first()) {
            return new Ingestion(inbound, sha256, claim.messageId(), false, null);
        }
        Optional<Map<String, AttributeValue>> accepted = index.message(claim.messageId());
        Optional<Map<String, AttributeValue>> rejected = accepted.isPresent() ? Optional.empty() : index.error(claim.messageId());
        if (accepted.isEmpty() && rejected.isEmpty()) {
            // an earlier attempt with these bytes stopped before its record: finish it under the same id
            return new Ingestion(inbound, sha256, claim.messageId(), false, null);
        }
        Ingestion duplicate = new Ingestion(inbound, sha256, claim.messageId(), true, null);
        Map<String, AttributeValue> first = accepted.orElseGet(rejected::get);
        duplicate.rawStored(first.get("raw_key").s());
        if (accepted.isPresent()) {
            duplicate.accepted(first.get("staging_key").s(), PatientLink.NONE);
        } else {
            duplicate.rejected(first.get("error_key").s());
            duplicate.firstRejection(recorded(first));
        }
        return duplicate;
    }

    /** The rejection an error record holds (code and reason; the location as "message"). */
    private static Hl7Rejection recorded(Map<String, AttributeValue> error) {
        ErrorCode code = error.containsKey("code") ? ErrorCode.errorCodeFor(Integer.parseInt(error.get("code").n())) : null;
        return new Hl7Rejection(code == null ? ErrorCode.APPLICATION_INTERNAL_ERROR : code, ErrorLocation.message(),
                error.containsKey("reason") ? error.get("reason").s() : "rejected before");
    }

    /** The exact bytes into the raw zone, unless they already have a raw object (a drop file) or were stored before. */
    public void writeRaw(@Body Ingestion ingestion) {
        if (ingestion.isDuplicate() || ingestion.rawKey() != null) {
            return;
        }
        String key = LakeKeys.raw(ingestion.messageId());
        StorageDeadline.within(ingestion.deadline(), () -> lake.raw(key, ingestion.inbound().bytes()));
        ingestion.rawStored(key);
    }

    /** The header the route's content-based router reads: {@code duplicate}, {@code accepted} or {@code rejected}. */
    public static final String ROUTE = "hl7lakeRoute";

    public void convert(@Body Ingestion ingestion, Exchange exchange) {
        ingestion.converted(converter.convert(ingestion.inbound().bytes(), ingestion.sha256(), new Receipt(ingestion.messageId(),
                ingestion.door(), ingestion.inbound().receivedAt(), lake.uri(rawKeyOf(ingestion))), ingestion.inbound().declaredCharset()));
        if (ingestion.conversion() instanceof Conversion.Accepted accepted) {
            limits.check(accepted.metadata()).ifPresent(why -> ingestion.rejectedAt("catalog", why));
        }
        if (ingestion.isDuplicate() && ingestion.outcome() == Outcome.REJECTED && ingestion.isAccepted()) {
            // the first copy was rejected by the store: answered as the first time
            ingestion.rejectedAt("store", ingestion.firstRejection());
        }
        // a header, not ${body.isAccepted()}: Simple's method calls are reflective, per message
        exchange.getMessage().setHeader(ROUTE, ingestion.isDuplicate() ? "duplicate"
                : ingestion.isAccepted() ? "accepted" : "rejected");
    }

    /** Staging document (tagged with its raw key), patient cross-reference, message record. */
    public void storeAccepted(@Body Ingestion ingestion) {
        StorageDeadline.within(ingestion.deadline(), () -> storeAcceptedNow(ingestion));
    }

    private void storeAcceptedNow(Ingestion ingestion) {
        Conversion.Accepted accepted = (Conversion.Accepted) ingestion.conversion();
        MessageMetadata m = accepted.metadata();
        PatientLink patient = patients.link(m.patientIdentifiers());
        String stagingKey = LakeKeys.staging(m.structure(), ingestion.messageId());
        lake.staging(stagingKey, accepted.document(), rawKeyOf(ingestion));
        boolean reused = index.controlIdReused(MessageRecord.senderControl(m.sendingApplication(), m.sendingFacility(),
                m.controlId()), ingestion.sha256());
        Inbound in = ingestion.inbound();
        index.record(new MessageRecord(ingestion.messageId(), m.controlId(), m.sendingApplication(), m.sendingFacility(),
                m.receivingApplication(), m.receivingFacility(), m.structure(), m.messageType(), m.triggerEvent(),
                m.version(), m.messageTime(), in.receivedAt(), in.door(), rawKeyOf(ingestion), in.rawOffset(),
                in.rawLength(), stagingKey, patient.uuid(), patient.conflictingUuids(), ingestion.sha256(), m.charset(),
                accepted.warningCount(), reused));
        if (patient.conflict()) {
            LOG.warn("message {} links to patient {} and also names identifiers of {} other patient(s): recorded, not merged",
                    ingestion.messageId(), patient.uuid(), patient.conflictingUuids().size());
        }
        ingestion.accepted(stagingKey, patient);
    }

    /** The exact bytes into the error zone, and an error record that says why. */
    public void storeRejected(@Body Ingestion ingestion) {
        StorageDeadline.within(ingestion.deadline(), () -> storeRejectedNow(ingestion));
    }

    private void storeRejectedNow(Ingestion ingestion) {
        Conversion.Rejected rejected = (Conversion.Rejected) ingestion.conversion();
        Hl7Rejection why = rejected.rejection();
        String errorKey = LakeKeys.error(ingestion.messageId());
        lake.error(errorKey, ingestion.inbound().bytes(), rawKeyOf(ingestion));
        Inbound in = ingestion.inbound();
        index.record(new ErrorRecord(ingestion.messageId(), errorKey, ingestion.stage(), why.code().getCode(),
                why.location().toString(), why.reason(), why.acknowledgmentCode().name(), in.receivedAt(), in.door(),
                rawKeyOf(ingestion), ingestion.sha256(), emptyToNull(rejected.header().controlId())));
        ingestion.rejected(errorKey);
    }

    /**
     * A write failed. When the store refused the message's own data as invalid, the same bytes would
     * fail forever: the message is rejected (AE, error zone, error record naming the store's refusal).
     * Otherwise the store is unavailable or did not answer within the deadline: nothing is
     * acknowledged, the door tells the sender to retry (AR 207, HTTP 503, the drop file stays).
     */
    public Ingestion failed(@Body Object body, @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        Ingestion ingestion = body instanceof Ingestion i ? i
                : new Ingestion((Inbound) body, null, null, false, null);
        String reason = cause.getClass().getSimpleName();
        Optional<String> refused = StorageFailures.refusedAsInvalid(cause);
        if (refused.isPresent() && ingestion.conversion() != null && !ingestion.isDuplicate()
                && ingestion.outcome() == null) {
            try {
                rejectRefused(ingestion, refused.get());
                return ingestion;
            } catch (RuntimeException again) {
                reason = again.getClass().getSimpleName() + " while storing the rejection";
            }
        }
        ingestion.failed(reason);
        LOG.warn("message {} from {} not stored, sender to retry: {}", ingestion.messageId(), ingestion.door(), reason);
        return ingestion;
    }

    private void rejectRefused(Ingestion ingestion, String storeCode) {
        if (ingestion.conversion() instanceof Conversion.Accepted accepted) {
            String stagingKey = LakeKeys.staging(accepted.metadata().structure(), ingestion.messageId());
            StorageDeadline.within(ingestion.deadline(), () -> lake.delete(stagingKey)); // if it was written
            ingestion.rejectedAt("store", new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, ErrorLocation.message(),
                    "the lake cannot store this message: the store refused its data as invalid (" + storeCode + ")"));
        }
        storeRejected(ingestion);
        LOG.warn("message {} from {}: the store refused it as invalid ({}); rejected, stored in the error zone as {}",
                ingestion.messageId(), ingestion.door(), storeCode, ingestion.errorKey());
    }

    private static String rawKeyOf(Ingestion ingestion) {
        return ingestion.rawKey() != null ? ingestion.rawKey() : LakeKeys.raw(ingestion.messageId());
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
