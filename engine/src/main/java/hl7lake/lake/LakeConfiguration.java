package hl7lake.lake;

import hl7lake.config.EarlyClients;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.PropertyInject;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;

/**
 * The lake's beans ({@code hl7lake.lake.*}, {@code hl7lake.aws.*}): the S3 client (the endpoint
 * empty: AWS itself; local mode sets the embedded server's) and {@link LakeWriter}, the one class
 * that writes the zones. Listed in {@code camel.main.configuration-classes}.
 */
public final class LakeConfiguration implements CamelConfiguration {

    /** Built beside Camel's boot from {@code hl7lake.aws.s3-endpoint} and {@code hl7lake.aws.region} ({@link EarlyClients}). */
    @BindToRegistry(value = "s3", destroyMethod = "close")
    public S3Client s3(EarlyClients early) {
        return early.s3();
    }

    @BindToRegistry("lakeWriter")
    public LakeWriter lakeWriter(S3Client s3, @PropertyInject("hl7lake.lake.bucket") String bucket) {
        return new LakeWriter(s3, bucket);
    }

    /** An endpoint setting: empty means AWS's own. */
    public static URI uri(String value) {
        return value == null || value.isBlank() ? null : URI.create(value.trim());
    }
}
