package hl7lake.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.TestFiles;
import hl7lake.config.EngineSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static hl7lake.TestHttp.JSON;
import static hl7lake.TestHttp.json;
import static hl7lake.TestHttp.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real browser: headless Chromium (Debian's {@code chromium} and
 * {@code chromedriver}, which {@code .ci/run} installs when missing) signs in with a local issuer's
 * token, and the test reads the rendered page: the counts per door and outcome equal what the doors
 * answered, a rejection from the strict profile is listed with its code, a search by control id
 * finds a sample and opens its record and its bytes as received (no patient data on the page before
 * that), and the replay button replays the rejection under the standard profile. Saves a screenshot
 * to {@code target/screenshots/dashboard.png} (README's is {@code docs/dashboard.png}).
 * Without Chromium the test is skipped, except under CI ({@code CI} set), where it fails.
 */
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of(System.getProperty("hl7lake.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("hl7lake.chromedriver", "/usr/bin/chromedriver"));
    /** Data type violations: warnings under standard, AE 102 under strict. */
    private static final Path STRICT_REJECTS = TestFiles.SAMPLES.resolve("adt-a08-v2.3-datatype-warnings.hl7");
    private static final List<String> OVER_MLLP = List.of("adt-a04-v2.7.hl7", "orm-o01-v2.3.hl7");
    private static final Duration WAIT = Duration.ofSeconds(30);


    @Test
    void shows_the_counts_finds_a_message_opens_its_views_and_replays_a_rejection(@TempDir Path dir) throws Exception {
        boolean browser = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!browser && System.getenv("CI") != null) {
            fail("CI needs " + CHROMIUM + " and " + CHROMEDRIVER + " (apt-get install chromium chromium-driver; .ci/run does)");
        }
        assumeTrue(browser, "no Chromium here (apt-get install chromium chromium-driver): the browser test is skipped");

        String errorId;
        EngineSettings strict = TestEngines.onDisk(dir, "strict");
        try (Engine engine = Engine.start(strict)) {
            String base = "http://127.0.0.1:" + strict.number("hl7lake.http.port");
            JsonNode rejection = post(base, engine.issuer().token("interface", Duration.ofMinutes(5), false),
                    TestFiles.read(STRICT_REJECTS));
            assertThat(rejection.get("code").asInt()).isEqualTo(102);
            errorId = rejection.get("error_id").asText();
        }

        EngineSettings standard = TestEngines.onDisk(dir, "standard");
        try (Engine engine = Engine.start(standard)) {
            String base = "http://127.0.0.1:" + standard.number("hl7lake.http.port");
            String sender = engine.issuer().token("interface", Duration.ofMinutes(10), false);
            Map<String, Map<String, Integer>> expected = new HashMap<>();
            count(expected, "http", "rejected", 1); // the strict engine's rejection
            Map<String, byte[]> sentOverHttp = new LinkedHashMap<>();
            for (Path file : TestFiles.acceptedSamples()) {
                if (file.equals(STRICT_REJECTS)) {
                    continue; // its bytes' first answer stands (a resend is answered as the first time): it is replayed below
                }
                byte[] bytes = TestFiles.read(file);
                if (OVER_MLLP.contains(file.getFileName().toString())) {
                    String ack = mllp(standard.number("hl7lake.mllp.port"), bytes);
                    assertThat(ack).as(file.toString()).containsPattern("\rMSA\\|A[AE]\\|");
                    count(expected, "mllp", "accepted", 1);
                    continue;
                }
                JsonNode reply = post(base, sender, bytes);
                if (reply.has("results")) {
                    count(expected, "http", "accepted", reply.get("results").size());
                } else {
                    assertThat(reply.get("status").asText()).as(file.toString()).isEqualTo("accepted");
                    count(expected, "http", "accepted", 1);
                    sentOverHttp.put(reply.get("message_id").asText(), bytes);
                }
            }
            for (Path file : TestFiles.invalidSamples()) {
                JsonNode reply = post(base, sender, TestFiles.read(file));
                for (JsonNode result : reply.has("results") ? reply.get("results") : List.of(reply)) {
                    if (result.hasNonNull("message_id")) {
                        count(expected, "http", "accepted", 1);
                    } else if (result.hasNonNull("error_id")) { // an error record, whatever the status
                        count(expected, "http", "rejected", 1);
                    }
                }
            }
            String reader = engine.issuer().token("reader-only", Duration.ofMinutes(10), false, List.of("reader"));
            String user = engine.issuer().token("night-operator", Duration.ofMinutes(10), false, List.of("reader", "operator"));

            WebDriver driver = chromium();
            try {
                WebDriverWait wait = new WebDriverWait(driver, WAIT);
                wait.ignoring(StaleElementReferenceException.class); // a table re-rendered while it is read: read again
                driver.get(base + "/");
                wait.until(d -> d.findElement(By.id("sign-in")).isDisplayed());
                signIn(driver, user);

                // the counts: the 7 days' total row, per door and outcome, as the doors answered
                for (String door : List.of("http", "mllp")) {
                    for (String outcome : List.of("accepted", "rejected")) {
                        int want = expected.getOrDefault(door, Map.of()).getOrDefault(outcome, 0);
                        wait.until(d -> text(d, "#counts-total td[data-door='" + door + "'][data-outcome='" + outcome + "']")
                                .equals(Integer.toString(want)));
                    }
                }
                assertThat(driver.findElements(By.cssSelector("#counts-hours thead th[data-hour]"))).hasSize(24);
                for (String door : List.of("http", "mllp")) { // all came in within the last hour or two
                    int want = expected.get(door).get("accepted");
                    wait.until(d -> hourSum(d, door, "accepted") == want);
                }

                // the strict rejection, listed with its code; no patient data anywhere on the page yet
                By rejectionRow = By.cssSelector("#errors tr[data-error-id='" + errorId + "']");
                wait.until(d -> !d.findElements(rejectionRow).isEmpty());
                assertThat(driver.findElement(rejectionRow).findElements(By.tagName("td")).get(2).getText()).isEqualTo("102");

                // search by control id: the sample's row, then its record and its bytes as received
                Map.Entry<String, byte[]> sample = sentOverHttp.entrySet().iterator().next();
                JsonNode record = json(base, reader, "/api/messages/" + sample.getKey());
                String family = familyName(sample.getValue());
                assertThat(driver.getPageSource()).as("patient data before a message is opened").doesNotContain(family);
                new Select(driver.findElement(By.id("search-kind"))).selectByValue("control");
                driver.findElement(By.id("search-input")).sendKeys(record.get("sending_application").asText() + "|"
                        + record.get("sending_facility").asText() + "|" + record.get("control_id").asText());
                driver.findElement(By.id("search-button")).click();
                By resultRow = By.cssSelector("#results tr[data-message-id='" + sample.getKey() + "']");
                wait.until(d -> !d.findElements(resultRow).isEmpty());
                assertThat(driver.findElements(By.cssSelector("#results tbody tr"))).hasSize(1);
                driver.findElement(resultRow).findElement(By.cssSelector("button.open")).click();
                wait.until(d -> "record".equals(d.findElement(By.id("detail-body")).getAttribute("data-view")));
                assertThat(JSON.readTree(driver.findElement(By.id("detail-body")).getText()).get("message_id").asText())
                        .isEqualTo(sample.getKey());
                driver.findElement(By.id("view-raw")).click();
                wait.until(d -> "raw".equals(d.findElement(By.id("detail-body")).getAttribute("data-view")));
                String shown = (String) ((org.openqa.selenium.JavascriptExecutor) driver)
                        .executeScript("return document.getElementById('detail-body').textContent;");
                assertThat(shown).isEqualTo(new String(sample.getValue(), StandardCharsets.UTF_8).replaceAll("\r\n?", "\n"));
                assertThat(driver.getPageSource()).contains(family);
                screenshot(driver);
                driver.findElement(By.id("view-document")).click();
                wait.until(d -> "document".equals(d.findElement(By.id("detail-body")).getAttribute("data-view")));
                assertThat(JSON.readTree(driver.findElement(By.id("detail-body")).getText()).get("meta")
                        .get("message_id").asText()).isEqualTo(sample.getKey());

                // replay: the rejection's Open, then Replay; accepted under standard, linked both ways, counted
                driver.findElement(rejectionRow).findElement(By.cssSelector("button.open")).click();
                wait.until(d -> errorId.equals(d.findElement(By.id("detail")).getAttribute("data-id")));
                WebElement replay = driver.findElement(By.id("replay-button"));
                assertThat(replay.isDisplayed()).isTrue();
                replay.click();
                wait.until(d -> "accepted".equals(d.findElement(By.id("replay-result")).getAttribute("data-outcome")));
                String replayedAs = driver.findElement(By.id("replay-result")).getAttribute("data-message-id");
                assertThat(json(base, reader, "/api/errors/" + errorId).get("replayed_as").asText()).isEqualTo(replayedAs);
                assertThat(json(base, reader, "/api/messages/" + replayedAs).get("replay_of").asText()).isEqualTo(errorId);
                int acceptedBefore = total(expected, "accepted");
                wait.until(d -> sum(d, "accepted") == acceptedBefore + 1);

                // a reader sees no replay button; a token without the reader role is told so
                signOut(driver, wait);
                signIn(driver, reader);
                wait.until(d -> !d.findElements(rejectionRow).isEmpty());
                driver.findElement(rejectionRow).findElement(By.cssSelector("button.open")).click();
                wait.until(d -> errorId.equals(d.findElement(By.id("detail")).getAttribute("data-id")));
                assertThat(driver.findElement(By.id("replay-button")).isDisplayed()).isFalse();
                signOut(driver, wait);
                signIn(driver, sender);
                wait.until(d -> text(d, "#status").contains("no reader role"));
            } finally {
                driver.quit();
            }
        }
    }

    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,2100", "--hide-scrollbars");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withLogOutput(OutputStream.nullOutputStream()).build();
        return new ChromeDriver(service, options);
    }

    private static void signIn(WebDriver driver, String token) {
        WebElement input = driver.findElement(By.id("token-input"));
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("arguments[0].value = arguments[1];", input, token);
        driver.findElement(By.id("sign-in-button")).click();
        new WebDriverWait(driver, WAIT).until(d -> d.findElement(By.id("app")).isDisplayed());
    }

    private static void signOut(WebDriver driver, WebDriverWait wait) {
        driver.findElement(By.id("sign-out")).click();
        wait.until(d -> d.findElement(By.id("sign-in")).isDisplayed());
    }

    private static void screenshot(WebDriver driver) throws Exception {
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0);");
        Path file = Path.of("target", "screenshots", "dashboard.png");
        Files.createDirectories(file.getParent());
        Files.write(file, ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    private static String text(WebDriver driver, String css) {
        List<WebElement> found = driver.findElements(By.cssSelector(css));
        return found.isEmpty() ? "" : found.get(0).getText().trim();
    }

    private static int sum(WebDriver driver, String outcome) {
        int sum = 0;
        for (WebElement cell : driver.findElements(By.cssSelector("#counts-total td[data-outcome='" + outcome + "']"))) {
            sum += Integer.parseInt(cell.getText().trim());
        }
        return sum;
    }

    private static int hourSum(WebDriver driver, String door, String outcome) {
        int sum = 0;
        for (WebElement cell : driver.findElements(By.cssSelector("#counts-hours tr[data-door='" + door
                + "'][data-outcome='" + outcome + "'] td"))) {
            String text = cell.getText().trim();
            sum += text.isEmpty() ? 0 : Integer.parseInt(text);
        }
        return sum;
    }

    private static void count(Map<String, Map<String, Integer>> counts, String door, String outcome, int n) {
        counts.computeIfAbsent(door, d -> new HashMap<>()).merge(outcome, n, Integer::sum);
    }

    private static int total(Map<String, Map<String, Integer>> counts, String outcome) {
        return counts.values().stream().mapToInt(m -> m.getOrDefault(outcome, 0)).sum();
    }

    /** PID-5.1 of a sample: a value that must not be on the page before its message is opened. */
    private static String familyName(byte[] bytes) {
        for (String segment : new String(bytes, StandardCharsets.UTF_8).split("[\r\n]+")) {
            if (segment.startsWith("PID|")) {
                String[] fields = segment.split("\\|", -1);
                String family = fields.length > 5 ? fields[5].split("\\^", -1)[0] : "";
                if (family.length() >= 3) {
                    return family;
                }
            }
        }
        throw new IllegalStateException("the sample names no patient");
    }

    /** One MLLP frame out, the ACK's frame back (as text). */
    private static String mllp(int port, byte[] message) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) WAIT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(0x0B);
            out.write(message);
            out.write(new byte[] {0x1C, 0x0D});
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream ack = new ByteArrayOutputStream();
            int previous = -1;
            for (int b; (b = in.read()) != -1; previous = b) {
                if (previous == 0x1C && b == 0x0D) {
                    break;
                }
                if (b != 0x0B && b != 0x1C) {
                    ack.write(b);
                }
            }
            return ack.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
