package hl7lake.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EngineSettingsTest {

    @Test
    void environment_variables_override_the_file_and_the_command_line_overrides_both() {
        EngineSettings settings = EngineSettings.load(Map.of("hl7lake.inbox.poll-millis", "250"),
                Map.of("HL7LAKE_LAKE_BUCKET", "from-env", "HL7LAKE_LOCAL_S3_PORT", "4577",
                        "HL7LAKE_INBOX_POLL_MILLIS", "999", "PATH", "/usr/bin"));
        assertThat(settings.get("hl7lake.lake.bucket")).isEqualTo("from-env");
        assertThat(settings.number("hl7lake.local.s3-port")).isEqualTo(4577);
        assertThat(settings.number("hl7lake.inbox.poll-millis")).isEqualTo(250);
        assertThat(settings.get("hl7lake.catalog.table-prefix")).isEqualTo("hl7lake-");
        assertThat(settings.asProperties().getProperty("hl7lake.lake.bucket")).isEqualTo("from-env");
    }

    @Test
    void the_mode_is_never_defaulted() {
        assertThatThrownBy(() -> EngineSettings.load(Map.of(), Map.of()).mode())
                .hasMessageContaining("HL7LAKE_MODE");
        assertThat(EngineSettings.load(Map.of(), Map.of("HL7LAKE_MODE", "aws")).mode()).isEqualTo("aws");
    }

    @Test
    void an_empty_endpoint_means_aws_itself() {
        assertThat(EngineSettings.load(Map.of(), Map.of()).optional("hl7lake.aws.s3-endpoint")).isNull();
    }

    @Test
    void every_route_file_is_in_the_listed_routes_camel_loads() throws Exception {
        String listed = EngineSettings.load(Map.of(), Map.of()).get("camel.main.routes-include-pattern");
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("routes"))) {
            files.map(f -> "classpath:routes/" + f.getFileName()).forEach(route ->
                    assertThat(listed.split(",")).as("camel.main.routes-include-pattern").contains(route));
        }
    }
}
