package hl7lake.convert;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generated messages for the SQL tests, with what a query over their documents must return. Each
 * message varies what senders vary: versions 2.3 to 2.8, optional segments and fields, repetitions
 * (also of fields v2.5 does not let repeat), every OBX-2 type, Z-segments in several places, fields
 * and components beyond v2.5 (MSH-22, OBX-23…25, PID-40, CX.11-12), v2.7 composites in v2.5 string
 * fields ({@code F^Female^HL70001}), escapes and HL7 nulls. Deterministic for a seed.
 */
public final class StagingCorpus {

    /** The code the LOINC query looks for (glucose), its unit and the facility/day queries' inputs. */
    public static final String LOINC = "2345-7";
    static final String UNIT = "mg/dL";
    static final String[] DAYS = {"2026-11-01", "2026-11-02", "2026-11-03"};

    private static final String[] VERSIONS = {"2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8"};
    private static final String[] FACILITIES = {"GOODHEALTH", "NORTHCLINIC", "LAB^1.2.840.1^ISO", "EAST"};
    private static final String[] GIVEN = {"ALPHA", "BETA", "GAMMA", "DELTA", "EPSILON"};
    /** As sent, and as the document must hold it. */
    private static final String[][] SURNAMES = {{"DOE", "DOE"}, {"O\\F\\BRIEN", "O|BRIEN"},
        {"SMITH\\S\\JONES", "SMITH^JONES"}, {"A\\T\\B", "A&B"}, {"MULLER", "MULLER"}, {"TILDE\\R\\X", "TILDE~X"}};
    private static final String[] TIMES = {"20261102083015", "202611020830", "20261102083015.123+0100",
        "20261102083015-0500", "20261102"};
    private static final String[] OBX_TYPES = {"NM", "ST", "TX", "FT", "CE", "CWE", "CNE", "CF", "SN", "TS", "DT",
        "TM", "DTM", "ED", "RP", "CX", "XPN", "XAD", "XCN", "ID", "IS", "NA", "MO", "CP"};

    /** One generated message and what its document must answer. */
    public record Generated(String structure, String day, String controlId, String er7, String facility,
                     List<String> patientIds, String given, String surname, List<Numeric> glucose,
                     List<ZRow> zpi) {
    }

    public record Numeric(String controlId, double value, String unit) {
    }

    public record ZRow(String controlId, String field1, String field2) {
    }

    private final Random random;
    private int sequence;

    public StagingCorpus(long seed) {
        this.random = new Random(seed);
    }

    public List<Generated> generate(String structure, int count) {
        List<Generated> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(switch (structure) {
                case "ADT_A01" -> adt();
                case "ORU_R01" -> oru();
                case "ORM_O01" -> orm();
                case "SIU_S12" -> siu();
                default -> throw new IllegalArgumentException(structure);
            });
        }
        return all;
    }

    /** What one message is being built of, and the expected answers collected on the way. */
    private final class Builder {
        final String structure;
        final String controlId;
        final String facility = pick(FACILITIES);
        final String version = pick(VERSIONS);
        final List<String> segments = new ArrayList<>();
        final List<Numeric> glucose = new ArrayList<>();
        final List<ZRow> zpi = new ArrayList<>();
        final List<String> patientIds = new ArrayList<>();
        String given;
        String surname;

        Builder(String structure, String type) {
            this.structure = structure;
            this.controlId = "G" + structure.substring(0, 3) + "-" + (++sequence);
            StringBuilder msh = new StringBuilder("MSH|^~\\&|APP" + random.nextInt(3) + "|" + facility
                    + "|LAKE|L|" + pick(TIMES) + "||" + type + "|" + controlId + "|P|" + version);
            if (version.compareTo("2.6") >= 0 && random.nextBoolean()) {
                // MSH-13…MSH-25: v2.6+ adds fields past v2.5's 21, some with components
                msh.append("|||AL|NE|USA||EN||PROFILE1^HL7^2.16.840.1^ISO|ORG^Sending Org|RECV ORG|NET^ADDR");
            } else if (random.nextInt(4) == 0) {
                msh.append("|||AL|NE");
            }
            segments.add(msh.toString());
        }

        Generated build() {
            return new Generated(structure, DAYS[random.nextInt(DAYS.length)], controlId,
                    String.join("\r", segments) + "\r", facility, patientIds, given, surname, glucose, zpi);
        }

        void pid() {
            String alternate = random.nextInt(4) == 0 ? "ALT" + random.nextInt(9) : "";
            if (!alternate.isEmpty()) {
                patientIds.add("##" + alternate);
            }
            List<String> ids = new ArrayList<>();
            int idCount = 1 + random.nextInt(3);
            for (int i = 0; i < idCount; i++) {
                String auth = "AUTH" + random.nextInt(3);
                String id = "P" + random.nextInt(400);
                String cx = id + "^^^" + auth + "^MR";
                if (random.nextInt(5) == 0) {
                    cx += "^FAC&1.2.3&ISO^20200101^20300101^^^X11^X12"; // v2.7's CX has 12 components
                }
                if (!patientIds.contains(auth + "#MR#" + id)) {
                    patientIds.add(auth + "#MR#" + id);
                }
                ids.add(cx);
            }
            String name;
            switch (random.nextInt(6)) {
                case 0 -> {
                    name = "\"\"";
                    given = null;
                    surname = null;
                }
                case 1 -> {
                    name = "";
                    given = null;
                    surname = null;
                }
                default -> {
                    String[] sur = SURNAMES[random.nextInt(SURNAMES.length)];
                    given = pick(GIVEN);
                    surname = sur[1];
                    name = sur[0] + "^" + given + (random.nextBoolean() ? "^Q^JR^^^L" : "")
                            + (random.nextInt(3) == 0 ? "~ALIAS^" + pick(GIVEN) + "^^^^^A" : "");
                }
            }
            String sex = switch (random.nextInt(6)) {
                case 0 -> "F^Female^HL70001"; // a v2.7 CWE in v2.5's IS
                case 1 -> "M~F";              // a repeated field v2.5 does not let repeat
                case 2 -> "\"\"";
                case 3 -> "";
                default -> random.nextBoolean() ? "F" : "M";
            };
            StringBuilder pid = new StringBuilder("PID|1|" + alternate
                    + "|" + String.join("~", ids) + "||" + name + "||" + (random.nextBoolean() ? "19800214" : "198002141230")
                    + "|" + sex + "|||" + (random.nextBoolean() ? "12 MAIN \\F\\ ST^^CITY^ST^00001^USA^H" : "")
                    + "||" + (random.nextBoolean() ? "^PRN^PH^^1^555^0100001~^NET^Internet^a\\T\\b@example.test" : ""));
            if (random.nextInt(5) == 0) {
                pid.append("|||||||||||||||||||||||||||^PRN^PH^^1^555^0199999"); // PID-40, v2.7
            }
            segments.add(pid.toString());
            if (random.nextInt(4) == 0) {
                z("ZPD|1|" + (random.nextBoolean() ? "VIP^Very important" : "\"\"") + "|" + given);
            }
        }

        void pv1() {
            if (random.nextBoolean()) {
                segments.add("PV1|1|" + pick(new String[] {"I", "O", "E"}) + "|WARD" + random.nextInt(4)
                        + "^101^A^GOODHEALTH&1.2.3&ISO||||1234^PHYSICIAN^TEST^^^DR");
            }
        }

        void obx(int setId, boolean inOru) {
            String type = pick(OBX_TYPES);
            String code = "C" + random.nextInt(20) + "^Observation^L";
            String value = obxValue(type);
            String units = "";
            if ("NM".equals(type) && (!inOru || random.nextBoolean())) {
                code = LOINC + "^Glucose^LN";
                units = random.nextBoolean() ? UNIT + "^milligrams per deciliter^UCUM" : UNIT;
                if (!value.startsWith("<") && !value.equals("\"\"")) {
                    glucose.add(new Numeric(controlId, Double.parseDouble(value), UNIT));
                }
            }
            StringBuilder obx = new StringBuilder("OBX|" + setId + "|" + type + "|" + code + "|"
                    + (random.nextBoolean() ? "1" : "") + "|" + value + "|" + units + "|70-110|"
                    + pick(new String[] {"N", "H", "L~A", ""}) + "|||F|||20261102083000");
            if (random.nextInt(4) == 0) {
                obx.append("|||||||PERFORMING LAB^L|1 LAB ST^^CITY|123^DIRECTOR^LAB"); // OBX-23…25, v2.7
            }
            segments.add(obx.toString());
            if (random.nextInt(5) == 0) {
                segments.add("NTE|1||note \\E\\ with escape");
            }
        }

        private String obxValue(String type) {
            if (random.nextInt(15) == 0) {
                return "\"\"";
            }
            return switch (type) {
                case "NM" -> pick(new String[] {"5.4", "120", "-0.5", "98.60", ".5", "<5"});
                case "ST" -> pick(new String[] {"POSITIVE", "pain ^ score 7\\10", "a \\S\\ b \\T\\ c"});
                case "TX", "FT" -> "line one~line two \\F\\ more";
                case "CE" -> "C1^Coded one^LN" + (random.nextBoolean() ? "~C2^Coded two^LN" : "");
                case "CWE" -> "260373001^Detected^SCT^^^^2020^^Original text";
                case "CNE" -> "Y^Yes^HL70136";
                case "CF" -> "C1^Formatted \\.br\\ text^L";
                case "SN" -> pick(new String[] {">^5.5", "^1^:^2", "^10^-^20", "<=^0.01"});
                case "TS" -> "20261102083015";
                case "DT" -> "20261102";
                case "TM" -> "0830";
                case "DTM" -> "20261102083015.12+0100";
                case "ED" -> "LAB^TEXT^PDF^Base64^SGVsbG8gd29ybGQ=";
                case "RP" -> "ptr123^APP&1.2&ISO^IMAGE^JPEG";
                case "CX" -> "ID9^^^AUTH^MR";
                case "XPN" -> "DOE^JANE";
                case "XAD" -> "1 ST^^CITY^ST^00001";
                case "XCN" -> "123^DOC^JOHN";
                case "ID" -> "Y";
                case "IS" -> "A1";
                case "NA" -> "1^2^3";
                case "MO" -> "10.5^USD";
                case "CP" -> "10.5&USD^UP";
                default -> throw new IllegalArgumentException(type);
            };
        }

        void z(String segment) {
            segments.add(segment);
        }

        void zpi() {
            String field1 = Integer.toString(1 + random.nextInt(3));
            String field2 = random.nextBoolean() ? "VIP" : "STD";
            z("ZPI|" + field1 + "|" + field2 + "^Label&Sub|" + (random.nextBoolean() ? "\"\"" : "x")
                    + "|custom\\F\\value");
            zpi.add(new ZRow(controlId, field1, field2));
        }

        private String pick(String[] values) {
            return values[random.nextInt(values.length)];
        }
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private void times(int max, Runnable each) {
        int n = random.nextInt(max + 1);
        for (int i = 0; i < n; i++) {
            each.run();
        }
    }

    private Generated adt() {
        Builder b = new Builder("ADT_A01", pick(new String[] {"ADT^A01", "ADT^A04", "ADT^A08", "ADT^A01^ADT_A01"}));
        b.segments.add("EVN|A01|20261102083000");
        b.pid();
        int[] n = {0};
        times(3, () -> b.segments.add("NK1|" + (++n[0]) + "|KIN^" + pick(GIVEN) + "|SPO^Spouse^HL70063"));
        b.pv1();
        n[0] = 0;
        times(3, () -> b.obx(++n[0], false));
        times(2, () -> b.segments.add("AL1|1|DA|70618^Penicillin^RXNORM|SV|Hives~Rash"));
        n[0] = 0;
        times(2, () -> b.segments.add("DG1|" + (++n[0]) + "||R07.9^Chest pain^I10||20261102|A"));
        n[0] = 0;
        times(2, () -> {
            b.segments.add("IN1|" + (++n[0]) + "|PLAN0" + n[0] + "^Plan|INS0" + n[0] + "|INSURER " + n[0]);
            if (random.nextBoolean()) {
                b.zpi(); // inside the insurance group
            }
        });
        if (random.nextInt(3) == 0) {
            b.zpi(); // at the end, at the root
        }
        return b.build();
    }

    private Generated oru() {
        Builder b = new Builder("ORU_R01", "ORU^R01" + (random.nextBoolean() ? "^ORU_R01" : ""));
        b.pid();
        b.pv1();
        int orders = 1 + random.nextInt(2);
        for (int o = 1; o <= orders; o++) {
            if (random.nextBoolean()) {
                b.segments.add("ORC|RE|PLACER" + o + "|FILLER" + o);
            }
            b.segments.add("OBR|" + o + "|PLACER" + o + "|FILLER" + o + "|80048^Basic metabolic panel^CPT|||20261102080000");
            if (random.nextInt(4) == 0) {
                b.zpi(); // after OBR, in the order_observation group
            }
            int observations = 1 + random.nextInt(6);
            for (int i = 1; i <= observations; i++) {
                b.obx(i, true);
                if (random.nextInt(6) == 0) {
                    b.zpi(); // after OBX, in the observation group
                }
            }
        }
        return b.build();
    }

    private Generated orm() {
        Builder b = new Builder("ORM_O01", "ORM^O01");
        if (random.nextInt(4) == 0) {
            b.segments.add("NTE|1||order note");
        }
        b.pid();
        b.pv1();
        if (random.nextInt(3) == 0) {
            b.segments.add("IN1|1|PLAN01^Plan|INS01|INSURER");
        }
        int orders = 1 + random.nextInt(3);
        for (int o = 1; o <= orders; o++) {
            b.segments.add("ORC|NW|PLACER" + o + "||GROUP1|SC||^^^20261102090000^^R||20261102083000|||1234^ORDERING^DOC");
            if (random.nextInt(3) == 0) {
                b.zpi(); // after ORC, in the order group
            }
            b.segments.add("OBR|" + o + "|PLACER" + o + "||85025^CBC^CPT|||20261102080000");
            if (random.nextBoolean()) {
                b.obx(1, false);
            }
        }
        return b.build();
    }

    private Generated siu() {
        Builder b = new Builder("SIU_S12", pick(new String[] {"SIU^S12", "SIU^S13", "SIU^S14"}));
        b.segments.add("SCH|APPT" + sequence + "^PLACER|FILL" + sequence + "^FILLER|||||CHECKUP^Routine checkup"
                + "|NORMAL|30|min|^^30^20261102090000^20261102093000|||||1234^SCHEDULER^SAM||||||||BOOKED");
        if (random.nextInt(3) == 0) {
            b.zpi(); // after SCH, at the root
        }
        b.pid();
        b.pv1();
        int resources = 1 + random.nextInt(2);
        for (int r = 1; r <= resources; r++) {
            b.segments.add("RGS|" + r + "|A");
            if (random.nextBoolean()) {
                b.segments.add("AIS|1|A|CHECKUP^Routine checkup|20261102090000|0|min|30|min");
                if (random.nextInt(3) == 0) {
                    b.zpi(); // after AIS, in the service group
                }
            }
            if (random.nextBoolean()) {
                b.segments.add("AIL|1|A|ROOM1^^^CLINIC|EXAM^Exam room");
            }
            if (random.nextBoolean()) {
                b.segments.add("AIP|1|A|1234^PHYSICIAN^TEST|D^Doctor");
            }
        }
        return b.build();
    }
}
