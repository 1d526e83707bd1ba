package hl7lake.json;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class Hl7TimeTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "none", value = {
        "2026, 2026-01-01T00:00:00.000Z",
        "202611, 2026-11-01T00:00:00.000Z",
        "20261102, 2026-11-02T00:00:00.000Z",
        "2026110208, 2026-11-02T08:00:00.000Z",
        "202611020830, 2026-11-02T08:30:00.000Z",
        "20261102083015, 2026-11-02T08:30:15.000Z",
        "20261102083015.1234, 2026-11-02T08:30:15.123Z",
        "20261102083015+0100, 2026-11-02T07:30:15.000Z",
        "20261102083015.5-0500, 2026-11-02T13:30:15.500Z",
        "20261231233000-0100, 2027-01-01T00:30:00.000Z",
        "202611020, none",
        "20261302, none",
        "2026110208301x, none",
        "20261102+01, none",
        "202611.5, none",
        "'', none",
    })
    void hl7_times_become_iso_8601_utc_with_milliseconds(String hl7, String iso) {
        assertThat(Hl7Time.isoUtc(hl7)).isEqualTo(iso);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"2026-11-23T10:15:30Z, 2026-11-23T10:15:30.000Z", "2026-11-23T10:15:30.123456789Z, 2026-11-23T10:15:30.123Z"})
    void instants_always_have_milliseconds(String instant, String iso) {
        assertThat(Hl7Time.iso(Instant.parse(instant))).isEqualTo(iso);
    }
}
