package hl7lake.catalog;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Against DynamoDB Local over a real socket, with the real AWS SDK. */
class PatientCrossReferenceTest {

    private static LocalCatalog catalog;
    private static PatientCrossReference patients;

    @BeforeAll
    static void start() {
        catalog = new LocalCatalog();
        patients = new PatientCrossReference(catalog.dynamo, catalog.tables, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    @Test
    void a_new_patient_gets_a_uuid_that_every_identifier_maps_to() {
        PatientLink link = patients.link(List.of("GH#MR#NEW-1", "USSSA#SS#NEW-1-SSN"));
        assertThat(link.created()).isTrue();
        assertThat(link.conflict()).isFalse();
        assertThat(uuidsOf("GH#MR#NEW-1")).containsExactly(link.uuid());
        assertThat(uuidsOf("USSSA#SS#NEW-1-SSN")).containsExactly(link.uuid());
    }

    @Test
    void a_known_identifier_reuses_its_uuid_and_new_identifiers_join_it() {
        PatientLink first = patients.link(List.of("GH#MR#KNOWN-1"));
        PatientLink second = patients.link(List.of("GH#MR#KNOWN-1", "OTHER#PI#KNOWN-1-ALT"));
        assertThat(second.created()).isFalse();
        assertThat(second.uuid()).isEqualTo(first.uuid());
        assertThat(uuidsOf("OTHER#PI#KNOWN-1-ALT")).containsExactly(first.uuid());
    }

    @Test
    void the_same_message_again_changes_nothing() {
        PatientLink first = patients.link(List.of("GH#MR#AGAIN-1", "##AGAIN-1"));
        PatientLink again = patients.link(List.of("GH#MR#AGAIN-1", "##AGAIN-1"));
        assertThat(again.uuid()).isEqualTo(first.uuid());
        assertThat(again.created()).isFalse();
        assertThat(uuidsOf("GH#MR#AGAIN-1")).hasSize(1);
    }

    @Test
    void two_known_uuids_in_one_message_are_a_recorded_conflict_never_a_merge() {
        PatientLink a = patients.link(List.of("GH#MR#CONFLICT-A"));
        PatientLink b = patients.link(List.of("GH#MR#CONFLICT-B"));
        PatientLink both = patients.link(List.of("GH#MR#CONFLICT-A", "GH#MR#CONFLICT-B"));
        assertThat(both.uuid()).isEqualTo(a.uuid());
        assertThat(both.conflictingUuids()).containsExactly(b.uuid());
        assertThat(uuidsOf("GH#MR#CONFLICT-B")).containsExactly(b.uuid());
        assertThat(uuidsOf("GH#MR#CONFLICT-A")).containsExactly(a.uuid());
    }

    @Test
    void a_message_without_identifiers_links_to_no_patient() {
        assertThat(patients.link(List.of())).isEqualTo(PatientLink.NONE);
    }

    @Test
    void twenty_concurrent_messages_for_one_new_patient_end_with_exactly_one_uuid() throws Exception {
        List<String> ids = List.of("GH#MR#RACE-1", "USSSA#SS#RACE-1", "LAB#PI#RACE-1");
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Callable<PatientLink>> messages = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            List<String> order = new ArrayList<>(ids);
            Collections.rotate(order, i); // different messages list the identifiers in different orders
            messages.add(() -> patients.link(order));
        }
        assertOnePatient(pool, messages, ids, 60);
    }

    @Test
    void concurrent_messages_naming_the_same_250_new_identifiers_in_any_order_end_with_exactly_one_uuid() throws Exception {
        // more than a transaction's 100 items: the claims are made in chunks, in key order
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            ids.add("GH#MR#CHUNKED-" + i);
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Callable<PatientLink>> messages = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            List<String> order = new ArrayList<>(ids);
            Collections.shuffle(order, new java.util.Random(i));
            messages.add(() -> patients.link(order));
        }
        assertOnePatient(pool, messages, ids, 120);
    }

    /** Runs the concurrent messages: one uuid for all, created once, no conflict, every identifier linked to it. */
    private void assertOnePatient(ExecutorService pool, List<Callable<PatientLink>> messages, List<String> ids,
                                  int timeoutSeconds) throws Exception {
        Set<String> uuids = new HashSet<>();
        int created = 0;
        for (Future<PatientLink> result : pool.invokeAll(messages)) {
            PatientLink link = result.get(timeoutSeconds, TimeUnit.SECONDS);
            uuids.add(link.uuid());
            created += link.created() ? 1 : 0;
            assertThat(link.conflict()).isFalse();
        }
        pool.shutdown();
        assertThat(uuids).hasSize(1);
        assertThat(created).isEqualTo(1);
        for (String id : ids) {
            assertThat(uuidsOf(id)).containsExactlyElementsOf(uuids);
        }
    }

    /** The blog's look-up: the GSI local_index from an identifier to its uuid(s). */
    private static List<String> uuidsOf(String localId) {
        return catalog.dynamo.query(q -> q.tableName(catalog.tables.patientIds()).indexName(CatalogTables.LOCAL_INDEX)
                        .keyConditionExpression("local_id = :id").expressionAttributeValues(Map.of(":id", AttributeValue.fromS(localId))))
                .items().stream().map(item -> item.get("uuid").s()).toList();
    }
}
