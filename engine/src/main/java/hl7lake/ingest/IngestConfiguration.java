package hl7lake.ingest;

import hl7lake.catalog.CatalogLimits;
import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.PatientCrossReference;
import hl7lake.convert.MessageConverter;
import hl7lake.hl7.AckBuilder;
import hl7lake.hl7.Hl7Parser;
import hl7lake.hl7.ValidationProfile;
import hl7lake.lake.LakeWriter;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.PropertyInject;

import java.nio.charset.Charset;
import java.time.Clock;
import java.time.Duration;

/**
 * The pipeline's beans ({@code hl7lake.validation.*}, {@code hl7lake.storage.*}): the converter on one
 * HAPI context, the steps of {@code routes/ingest.yaml} ({@code ingestSteps}) and the acknowledgements
 * every door that answers in HL7 builds. Listed in {@code camel.main.configuration-classes}, after the
 * lake's and the catalog's.
 */
public final class IngestConfiguration implements CamelConfiguration {

    @BindToRegistry("hl7Parser")
    public Hl7Parser hl7Parser() {
        return new Hl7Parser();
    }

    @BindToRegistry("messageConverter")
    public MessageConverter messageConverter(Hl7Parser parser,
                                             @PropertyInject("hl7lake.validation.profile") String profile,
                                             @PropertyInject("hl7lake.validation.charset-fallback") String fallback) {
        return new MessageConverter(parser, ValidationProfile.of(profile), Charset.forName(fallback));
    }

    @BindToRegistry("ingestSteps")
    public IngestSteps ingestSteps(MessageConverter converter, LakeWriter lake, MessageIndex index,
                                   PatientCrossReference patients, CatalogLimits limits,
                                   @PropertyInject("hl7lake.storage.deadline-seconds") int deadlineSeconds) {
        return new IngestSteps(converter, lake, index, patients, limits, Duration.ofSeconds(deadlineSeconds));
    }

    @BindToRegistry("acknowledgements")
    public Acknowledgements acknowledgements(Hl7Parser parser) {
        return new Acknowledgements(new AckBuilder(parser.context(), Clock.systemUTC()));
    }
}
