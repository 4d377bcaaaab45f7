package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.pgcache.metrics.RecentActivity;
import dev.pgcache.purge.PurgeJob;
import dev.pgcache.testing.Chromium;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * The console in a real browser (Debian's chromium, through chromedriver): log in with a key, see
 * a namespace a test wrote, find keys by prefix, open a value, delete and invalidate, be refused
 * with a read-only key, stay within a narrow window, run no script a stored value carries, and log
 * no JavaScript error. Screenshots go to target/console/, or to the directory named by
 * -Dconsole.screenshots (docs/ for the ones docs/operations.md shows).
 */
@QuarkusTest
class ConsoleBrowserTest {

    /** A key and a value that would run script if the page ever put them into HTML. */
    private static final String HOSTILE_KEY = "<img src=x onerror=window.__xss=1>";
    private static final String HOSTILE_VALUE = "{\"html\":\"<img src=x onerror=window.__xss=2>\",\"s\":\"</pre><script>window.__xss=3</script>\"}";

    @Inject
    RecentActivity activity;

    @Inject
    PurgeJob purgeJob;

    private String ns;
    private Chromium chromium;
    private ChromeDriver driver;

    @BeforeEach
    void writeEntries() {
        ns = Namespaces.fresh("sec-console"); // sec-*: the read-only test key may read it
        put("user:1", "{\"name\":\"alice\",\"roles\":[\"admin\",\"ops\"],\"visits\":12}", "tag=team-a");
        put("user:2", "{\"name\":\"bob\",\"roles\":[],\"visits\":3}", "tag=team-b");
        put("user:3", "{\"name\":\"carol\",\"roles\":[\"ops\"],\"visits\":7}", "tag=team-a");
        put("session:9f2", "{\"user\":\"user:1\",\"expires\":\"soon\"}", "ttl=10m");
        put(HOSTILE_KEY.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20").replace("=", "%3D"), HOSTILE_VALUE, "tag=hostile");
    }

    private void put(String rawKey, String json, String query) {
        given().contentType(ContentType.JSON).body(json).urlEncodingEnabled(false).put("/v1/cache/" + ns + "/" + rawKey + "?" + query)
                .then().statusCode(201);
    }

    @AfterEach
    void closeBrowser() throws IOException {
        if (chromium != null) {
            chromium.close();
        }
    }

    private void open(int width, int height) throws IOException {
        chromium = Chromium.start(width, height);
        driver = chromium.driver();
        driver.get("http://localhost:" + RestAssured.port + "/console");
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(15));
    }

    private <T> T until(Function<WebDriver, T> condition) {
        return waiting().until(condition);
    }

    private void logIn(String key) {
        WebElement input = until(ExpectedConditions.visibilityOfElementLocated(By.id("key")));
        input.sendKeys(key);
        driver.findElement(By.id("login-button")).click();
        until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
    }

    private void search(String prefix) {
        WebElement field = driver.findElement(By.id("prefix"));
        field.clear();
        field.sendKeys(prefix);
        driver.findElement(By.id("search")).click();
    }

    @SuppressWarnings("unchecked")
    private List<String> listedKeys() {
        return (List<String>) driver.executeScript("return [...document.querySelectorAll('#keys button.key')].map(b => b.firstChild.textContent)");
    }

    private void openKey(String key) {
        WebElement button = until(d -> (WebElement) driver.executeScript(
                "return [...document.querySelectorAll('#keys button.key')].find(b => b.firstChild.textContent === arguments[0]) || null", key));
        button.click();
        until(d -> d.findElement(By.id("entry-key")).getText().equals(key)
                && !d.findElement(By.id("entry-value")).getText().startsWith("loading"));
    }

    private void confirm() {
        until(ExpectedConditions.elementToBeClickable(By.id("confirm-yes"))).click();
    }

    private int status(String key, String rawKey) {
        return given().header("Authorization", "Bearer " + key).urlEncodingEnabled(false).get("/v1/cache/" + ns + "/" + rawKey)
                .then().extract().statusCode();
    }

    /** What the browser logged at error level: uncaught exceptions, failed loads, CSP violations. */
    private List<String> browserErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()).map(LogEntry::toString).toList();
    }

    private void screenshot(String name) throws IOException {
        Path dir = Path.of(System.getProperty("console.screenshots", "target/console"));
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
    }

    private boolean noHorizontalOverflow() {
        return (Boolean) driver.executeScript("const d = document.documentElement;"
                + "return d.scrollWidth <= d.clientWidth && document.body.scrollWidth <= d.clientWidth;");
    }

    @Test
    void anAdminKeySeesTheNamespaceFindsAKeyOpensItsValueAndRemovesEntries() throws Exception {
        activity.sample();
        for (int i = 0; i < 20; i++) {
            given().get("/v1/cache/" + ns + "/user:" + (i % 4 + 1)).then().extract().statusCode(); // user:4 misses
        }
        activity.sample();
        purgeJob.runOnce();
        open(1280, 1250);
        logIn(TestKeys.ALL);

        // the key is nowhere but this tab's session storage
        assertFalse(driver.getCurrentUrl().contains(TestKeys.ALL), driver.getCurrentUrl());
        assertTrue(driver.manage().getCookies().isEmpty(), "cookies: " + driver.manage().getCookies());
        assertEquals(TestKeys.ALL, driver.executeScript("return sessionStorage.getItem('pgcache.console.key')"));
        assertEquals(0L, driver.executeScript("return localStorage.length"));

        // the namespace the test wrote, with its counters
        WebElement row = until(d -> d.findElements(By.cssSelector("#namespaces-table tr[data-namespace='" + ns + "']")).stream()
                .findFirst().orElse(null));
        assertEquals("5", row.findElements(By.tagName("td")).get(1).getText(), "entries: " + row.getText());
        until(d -> d.findElements(By.cssSelector("#purge-runs tbody tr")).size() > 0
                && !d.findElement(By.id("purge-runs")).getText().contains("no run completed"));
        until(d -> !d.findElements(By.cssSelector("#chart-rates canvas")).isEmpty());
        screenshot("console-overview.png");
        driver.executeScript("document.getElementById('status').scrollIntoView()");
        // the JSON-RPC nodes, one row each: an upstream of one url has node "default", upstream multi its three
        until(d -> d.findElements(By.cssSelector("#rpc-nodes tbody tr")).stream().anyMatch(r -> r.getText().startsWith("multi b primary 1")));
        assertTrue(driver.findElement(By.id("rpc-nodes")).getText().contains("anvil default primary"), driver.findElement(By.id("rpc-nodes")).getText());
        screenshot("console-status.png");
        driver.executeScript("window.scrollTo(0, 0)");

        // find by prefix, open a value: pretty-printed
        row.findElement(By.cssSelector("button")).click();
        until(d -> listedKeys().size() == 5);
        search("user:");
        until(d -> listedKeys().equals(List.of("user:1", "user:2", "user:3")));
        openKey("user:1");
        String value = driver.findElement(By.id("entry-value")).getText();
        assertTrue(value.contains("\"name\": \"alice\"") && value.contains("\n  \"roles\": ["), value);
        String meta = driver.findElement(By.id("entry-meta")).getText();
        assertTrue(meta.contains("team-a") && meta.contains("version") && meta.contains("stale until"), meta);
        screenshot("console-keys.png");

        // delete one key, behind a confirmation
        driver.findElement(By.id("delete-key")).click();
        confirm();
        until(d -> listedKeys().equals(List.of("user:2", "user:3")));
        assertEquals(404, status(TestKeys.ALL, "user:1"));

        // invalidate by tag, behind a confirmation
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("invalidate-by"))).selectByValue("tag");
        driver.findElement(By.id("invalidate-value")).sendKeys("team-a");
        driver.findElement(By.id("invalidate")).click();
        confirm();
        until(d -> listedKeys().equals(List.of("user:2")));
        assertEquals(404, status(TestKeys.ALL, "user:3"));
        assertEquals(200, status(TestKeys.ALL, "user:2"));
        assertTrue(driver.findElement(By.id("message")).getText().contains("invalidated 1 entry"), driver.findElement(By.id("message")).getText());

        assertEquals(List.of(), browserErrors());
    }

    @Test
    void aStoredKeyAndValueAreShownAsTextAndRunNothing() throws Exception {
        open(1280, 900);
        logIn(TestKeys.ALL);
        driver.findElement(By.id("namespace")).sendKeys(ns);
        search("<img");
        openKey(HOSTILE_KEY);
        assertEquals(HOSTILE_KEY, driver.findElement(By.id("entry-key")).getText());
        assertTrue(driver.findElement(By.id("entry-value")).getText().contains("</pre><script>window.__xss=3</script>"));
        assertEquals(true, driver.executeScript("return typeof window.__xss === 'undefined'"));
        assertEquals(0L, driver.executeScript("return document.querySelectorAll('main img, main script, #entry-value *').length"));
        assertEquals(List.of(), browserErrors());
    }

    @Test
    void aReadOnlyKeyReadsButIsNotOfferedRemovalAndTheServerRefusesIt() throws Exception {
        open(1280, 900);
        logIn(TestKeys.READER);
        assertFalse(driver.findElement(By.id("overview")).isDisplayed(), "no admin scope: no counters");
        driver.findElement(By.id("namespace")).sendKeys(ns);
        search("user:");
        openKey("user:2");
        assertTrue(driver.findElement(By.id("entry-value")).getText().contains("\"name\": \"bob\""));
        assertFalse(driver.findElement(By.id("delete-key")).isDisplayed(), "delete is not offered without the write scope");
        assertFalse(driver.findElement(By.id("invalidate-form")).isDisplayed(), "invalidation is not offered without the write scope");

        // forced from the page with the same key: the server refuses
        Object refused = driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/v1/cache/" + ns + "/user:2', {method: 'DELETE', headers: {Authorization: 'Bearer ' + "
                + "sessionStorage.getItem('pgcache.console.key')}}).then(r => done(r.status));");
        assertEquals(403L, refused);
        given().header("Authorization", "Bearer " + TestKeys.READER).delete("/v1/cache/" + ns + "/user:2").then().statusCode(403);
        given().header("Authorization", "Bearer " + TestKeys.READER).delete("/v1/cache/" + ns + "?prefix=user:").then().statusCode(403);
        assertEquals(200, status(TestKeys.ALL, "user:2"));
        // the forced DELETE's 403 is the one error the browser logged
        List<String> errors = browserErrors();
        assertTrue(errors.size() <= 1 && errors.stream().allMatch(e -> e.contains("403")), errors.toString());
    }

    @Test
    void aNarrowWindowShowsEverythingWithoutHorizontalOverflow() throws Exception {
        open(400, 900);
        assertTrue(noHorizontalOverflow(), "the login form fits");
        logIn(TestKeys.ALL);
        until(d -> !d.findElements(By.cssSelector("#namespaces-table tbody tr")).isEmpty());
        driver.findElement(By.id("namespace")).sendKeys(ns);
        search("user:");
        openKey("user:1");
        assertTrue(noHorizontalOverflow(), "the console fits in 400 px");
        driver.executeScript("document.getElementById('browser').scrollIntoView()");
        screenshot("console-narrow.png");
        assertEquals(List.of(), browserErrors());
    }

    @Test
    void loggingOutForgetsTheKey() throws Exception {
        open(1280, 900);
        logIn(TestKeys.ALL);
        driver.findElement(By.id("logout")).click();
        until(ExpectedConditions.visibilityOfElementLocated(By.id("key")));
        assertEquals(null, driver.executeScript("return sessionStorage.getItem('pgcache.console.key')"));
        driver.findElement(By.id("key")).sendKeys("not-a-key");
        driver.findElement(By.id("login-button")).click();
        until(d -> d.findElement(By.id("login-error")).getText().contains("not accepted"));
        assertFalse(driver.findElement(By.id("app")).isDisplayed());
        assertEquals(null, driver.executeScript("return sessionStorage.getItem('pgcache.console.key')"));
    }
}
