package hl7lake.observe;

import hl7lake.ingest.Ingestion;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Body;
import org.apache.camel.Exchange;

import java.time.Duration;
import java.util.Locale;

/**
 * The pipeline's own metrics, in the registry that /observe/metrics serves: messages by door and
 * outcome ({@code hl7lake_messages_total}), pipeline latency by door ({@code hl7lake_pipeline_seconds},
 * a histogram), rejections by HL7 error code ({@code hl7lake_rejections_total}), accepted site-specific
 * messages by type ({@code hl7lake_messages_site_specific_total}). Called as the last
 * step of the pipeline route and of its error handler.
 */
public final class IngestMetrics {

    private volatile MeterRegistry registry;

    public void record(@Body Ingestion ingestion, Exchange exchange) {
        MeterRegistry meters = registry(exchange);
        if (meters == null) {
            return;
        }
        String door = ingestion.door();
        Counter.builder("hl7lake.messages").description("Messages through the pipeline")
                .tag("door", door).tag("outcome", ingestion.outcome().name().toLowerCase(Locale.ROOT))
                .tag("duplicate", Boolean.toString(ingestion.duplicate())).register(meters).increment();
        Timer.builder("hl7lake.pipeline").description("Time from a door handing a message in to its outcome")
                .tag("door", door).publishPercentileHistogram().register(meters)
                .record(Duration.ofMillis(Math.max(0, exchange.getClock().elapsed())));
        if (ingestion instanceof Ingestion.Accepted accepted && !accepted.duplicate() && accepted.metadata() != null
                && accepted.metadata().siteSpecific()) {
            // MSH-9.1 is a Z code of three letters or digits: a bounded set of tag values
            Counter.builder("hl7lake.messages.site.specific")
                    .description("Accepted messages of a site-specific type (MSH-9.1 starting with Z), kept with a generic structure")
                    .tag("door", door).tag("message_type", accepted.metadata().messageType()).register(meters).increment();
        }
        if (ingestion instanceof Ingestion.Rejected rejected) {
            Counter.builder("hl7lake.rejections").description("Rejected messages by HL7 table 0357 code")
                    .tag("code", Integer.toString(rejected.rejection().code().getCode())).register(meters).increment();
        }
    }

    private MeterRegistry registry(Exchange exchange) {
        if (registry == null) {
            registry = exchange.getContext().getRegistry().findSingleByType(MeterRegistry.class);
        }
        return registry;
    }
}
