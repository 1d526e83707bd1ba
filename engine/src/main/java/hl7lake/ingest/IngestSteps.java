package hl7lake.ingest;

import ca.uhn.hl7v2.ErrorCode;
import hl7lake.catalog.CatalogLimits;
import hl7lake.catalog.ErrorRecord;
import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.MessageRecord;
import hl7lake.catalog.PatientCrossReference;
import hl7lake.catalog.PatientLink;
import hl7lake.config.StorageDeadline;
import hl7lake.convert.Conversion;
import hl7lake.convert.MessageConverter;
import hl7lake.convert.Receipt;
import hl7lake.hl7.ContentHash;
import hl7lake.hl7.ErrorLocation;
import hl7lake.hl7.Hl7Rejection;
import hl7lake.hl7.MessageMetadata;
import hl7lake.ingest.Pending.Invalid;
import hl7lake.ingest.Pending.Received;
import hl7lake.ingest.Pending.Resent;
import hl7lake.ingest.Pending.Valid;
import hl7lake.lake.LakeKeys;
import hl7lake.lake.LakeWriter;
import hl7lake.lake.MessageIds;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;

/**
 * The steps of the pipeline route ({@code routes/ingest.yaml}), one method each, one write each. The
 * body goes from an {@link Inbound} through the {@link Pending} states to an {@link Ingestion}. Writes
 * happen in the order: raw, then patient link + staging + message record, or error object + error
 * record; each is repeatable under the same id, so a retry after a failure at any step creates no
 * second entry. Every storage call of a message is bounded by its one deadline
 * ({@link StorageDeadline}); a message the catalog cannot take ({@link CatalogLimits}) or the store
 * refuses as invalid is rejected, never retried as an outage. Logs carry ids, sizes, keys and reasons only.
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
     * Gives the message its id: a new one ({@link Received}), or, when its content was stored before,
     * whichever door it came through, the first copy's, or its replay's when an operator replayed a
     * rejected first copy ({@link Resent}; {@link MessageIndex#stored}). The claim is on
     * {@link ContentHash} (segment terminators normalised); the exact bytes keep their own sha256, the
     * raw object's. Content claimed by an earlier attempt that stopped before its record is finished
     * under that attempt's id.
     */
    public Pending receive(@Body Inbound inbound) {
        long deadline = StorageDeadline.startingNow(deadlineBudget);
        return StorageDeadline.within(deadline, () -> identify(inbound, deadline));
    }

    private Pending identify(Inbound inbound, long deadline) {
        String sha256 = MessageConverter.sha256(inbound.bytes());
        MessageIndex.ContentClaim claim = index.claimContent(ContentHash.sha256(inbound.bytes()), MessageIds.next());
        if (!claim.first()) {
            Optional<MessageIndex.StoredCopy> first = index.stored(claim.messageId());
            if (first.isPresent()) {
                return new Resent(inbound, sha256, first.get().messageId(), first.get(), deadline);
            }
        }
        return new Received(inbound, sha256, claim.messageId(), deadline);
    }

    /** The exact bytes into the raw zone, unless they already have a raw object (a drop file's message). */
    public void writeRaw(@Body Received received) {
        if (received.needsRawObject()) {
            StorageDeadline.within(received.deadline(), () -> lake.raw(received.rawKey(), received.inbound().bytes()));
        }
    }

    /**
     * Parse, validate, JSON document: {@link Valid} for the staging zone, or {@link Invalid} (rejected
     * by the converter, or over a catalog limit) for the error zone.
     */
    public Pending convert(@Body Received received) {
        Conversion conversion = converted(received.inbound(), received.sha256(), received.messageId(), received.rawKey());
        if (conversion instanceof Conversion.Accepted accepted) {
            Optional<Hl7Rejection> over = limits.check(accepted.metadata());
            if (over.isEmpty()) {
                return new Valid(received, accepted, LakeKeys.staging(accepted.metadata().structure(), received.messageId()),
                        PatientLink.NONE);
            }
            return invalid(received, conversion, over.get(), "catalog");
        }
        return invalid(received, conversion, ((Conversion.Rejected) conversion).rejection(), "validate");
    }

    private Conversion converted(Inbound inbound, String sha256, String messageId, String rawKey) {
        return converter.convert(inbound.bytes(), sha256, new Receipt(messageId, inbound.door(), inbound.receivedAt(),
                lake.uri(rawKey)), inbound.declaredCharset());
    }

    private static Invalid invalid(Received received, Conversion conversion, Hl7Rejection why, String stage) {
        return new Invalid(received, conversion, why, stage, LakeKeys.error(received.messageId()));
    }

    /** The patient cross-reference: the message's identifiers mapped to one global patient uuid. */
    public Valid linkPatient(@Body Valid valid) {
        PatientLink patient = StorageDeadline.within(valid.received().deadline(),
                () -> patients.link(valid.conversion().metadata().patientIdentifiers()));
        if (patient.conflict()) {
            LOG.warn("message {} links to patient {} and also names identifiers of {} other patient(s): recorded, not merged",
                    valid.received().messageId(), patient.uuid(), patient.conflictingUuids().size());
        }
        return valid.withPatient(patient);
    }

    /** The JSON document into the staging zone, tagged with its raw key. */
    public void writeStaging(@Body Valid valid) {
        Received received = valid.received();
        StorageDeadline.within(received.deadline(),
                () -> lake.staging(valid.stagingKey(), valid.conversion().document(valid.patient().uuid()), received.rawKey()));
    }

    /** The message record in the catalog (a reused control id with other content flagged): accepted. */
    public Ingestion recordMessage(@Body Valid valid) {
        Received received = valid.received();
        StorageDeadline.within(received.deadline(), () -> record(valid));
        return new Ingestion.Accepted(received.inbound(), received.messageId(), received.sha256(), valid.conversion(),
                received.rawKey(), valid.stagingKey(), valid.patient(), false);
    }

    private void record(Valid valid) {
        Received received = valid.received();
        MessageMetadata m = valid.conversion().metadata();
        PatientLink patient = valid.patient();
        boolean reused = index.controlIdReused(MessageRecord.senderControl(m.sendingApplication(), m.sendingFacility(),
                m.controlId()), received.sha256());
        Inbound in = received.inbound();
        index.record(new MessageRecord(received.messageId(), m.controlId(), m.sendingApplication(), m.sendingFacility(),
                m.receivingApplication(), m.receivingFacility(), m.structure(), m.messageType(), m.triggerEvent(),
                m.version(), m.messageTime(), in.receivedAt(), in.door(), received.rawKey(), in.rawOffset(),
                in.rawLength(), valid.stagingKey(), patient.uuid(), patient.conflictingUuids(), received.sha256(),
                m.charset(), valid.conversion().warningCount(), reused));
    }

    /** The exact bytes into the error zone. */
    public void writeError(@Body Invalid invalid) {
        Received received = invalid.received();
        StorageDeadline.within(received.deadline(),
                () -> lake.error(invalid.errorKey(), received.inbound().bytes(), received.rawKey()));
    }

    /** The error record that says why: rejected. */
    public Ingestion recordError(@Body Invalid invalid) {
        Received received = invalid.received();
        Hl7Rejection why = invalid.rejection();
        Inbound in = received.inbound();
        StorageDeadline.within(received.deadline(), () -> index.record(new ErrorRecord(received.messageId(),
                invalid.errorKey(), invalid.stage(), why.code().getCode(), why.location().toString(), why.reason(),
                why.acknowledgmentCode().name(), in.receivedAt(), in.door(), received.rawKey(), received.sha256(),
                emptyToNull(invalid.conversion().header().controlId()))));
        return new Ingestion.Rejected(in, received.messageId(), received.sha256(), invalid.conversion(), why,
                invalid.stage(), received.rawKey(), invalid.errorKey(), false);
    }

    /**
     * A resend of content stored before: answered as the first time, nothing written. The bytes are
     * converted again for the header and charset the answer is given in; a first copy rejected is
     * answered with the converter's rejection, or, when only the store or a catalog limit refused it,
     * with the rejection its error record holds.
     */
    public Ingestion answerAsFirst(@Body Resent resent) {
        MessageIndex.StoredCopy first = resent.first();
        Conversion conversion = converted(resent.inbound(), resent.sha256(), resent.messageId(), first.rawKey());
        if (first.accepted()) {
            return new Ingestion.Accepted(resent.inbound(), resent.messageId(), resent.sha256(), conversion,
                    first.rawKey(), first.stagingKey(), PatientLink.NONE, true);
        }
        Hl7Rejection why;
        String stage;
        if (conversion instanceof Conversion.Rejected rejected) {
            why = rejected.rejection();
            stage = "validate";
        } else {
            Optional<Hl7Rejection> over = limits.check(((Conversion.Accepted) conversion).metadata());
            why = over.orElseGet(() -> recorded(first));
            stage = over.isPresent() ? "catalog" : "store";
        }
        return new Ingestion.Rejected(resent.inbound(), resent.messageId(), resent.sha256(), conversion, why, stage,
                first.rawKey(), first.errorKey(), true);
    }

    /** The rejection an error record holds (code and reason; the location as "message"). */
    private static Hl7Rejection recorded(MessageIndex.StoredCopy first) {
        ErrorCode code = first.code() != null ? ErrorCode.errorCodeFor(first.code()) : null;
        return new Hl7Rejection(code == null ? ErrorCode.APPLICATION_INTERNAL_ERROR : code, ErrorLocation.message(),
                first.reason() != null ? first.reason() : "rejected before");
    }

    /**
     * A step failed. When the store refused the message's own data as invalid, the same bytes would
     * fail forever: the message is rejected (AE, error zone, error record naming the store's refusal).
     * Otherwise the store is unavailable or did not answer within the deadline: nothing is
     * acknowledged, the door tells the sender to retry (AR 207, HTTP 503, the drop file stays).
     */
    public Ingestion failed(@Body Object body, @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        String reason = cause.getClass().getSimpleName();
        Optional<String> refused = StorageFailures.refusedAsInvalid(cause);
        if (refused.isPresent() && (body instanceof Valid || body instanceof Invalid)) {
            try {
                Invalid invalid = body instanceof Valid valid ? refusedByStore(valid, refused.get()) : (Invalid) body;
                writeError(invalid);
                Ingestion rejected = recordError(invalid);
                LOG.warn("message {} from {}: the store refused it as invalid ({}); rejected, stored in the error zone as {}",
                        rejected.messageId(), rejected.door(), refused.get(), invalid.errorKey());
                return rejected;
            } catch (RuntimeException again) {
                reason = again.getClass().getSimpleName() + " while storing the rejection";
            }
        }
        Ingestion notStored = notStored(body, reason);
        LOG.warn("message {} from {} not stored, sender to retry: {}", notStored.messageId(), notStored.door(), reason);
        return notStored;
    }

    private static Ingestion notStored(Object body, String reason) {
        if (body instanceof Received r) {
            return new Ingestion.NotStored(r.inbound(), r.messageId(), null, reason);
        }
        if (body instanceof Resent r) {
            return new Ingestion.NotStored(r.inbound(), r.messageId(), null, reason);
        }
        if (body instanceof Valid v) {
            return new Ingestion.NotStored(v.received().inbound(), v.received().messageId(), v.conversion(), reason);
        }
        if (body instanceof Invalid i) {
            return new Ingestion.NotStored(i.received().inbound(), i.received().messageId(), i.conversion(), reason);
        }
        return new Ingestion.NotStored((Inbound) body, null, null, reason);
    }

    /** An accepted message whose staging or catalog write the store refused as invalid: now rejected at stage {@code store}. */
    private Invalid refusedByStore(Valid valid, String storeCode) {
        Received received = valid.received();
        StorageDeadline.within(received.deadline(), () -> lake.delete(valid.stagingKey())); // if it was written
        return invalid(received, valid.conversion(), new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, ErrorLocation.message(),
                "the lake cannot store this message: the store refused its data as invalid (" + storeCode + ")"), "store");
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
