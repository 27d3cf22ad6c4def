using System.Net.Http.Json;
using Microsoft.Playwright;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// The live dashboard in a real browser: headless Chromium (Debian's <c>chromium</c>, by Playwright's ExecutablePath,
/// since no browser can be downloaded here) against the Api as its own process.
/// </summary>
public sealed class DashboardBrowserTests(MonitoringFixture api) : IClassFixture<MonitoringFixture>
{
    [Fact]
    public async Task The_dashboard_shows_each_model_and_updates_live_when_a_request_runs()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium(),
            Headless = true,
            // As root (CI) Chromium needs its sandbox off; /dev/shm is small in containers.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        List<string> errors = [];
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(new Uri(api.Api.BaseAddress, "/dashboard").ToString());

        var row = page.Locator($"tr[data-model=\"{MonitoringFixture.Gguf}\"]");
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Assertions.Expect(row).ToContainTextAsync("llama");
        await Assertions.Expect(row.Locator("[data-field=status]")).ToHaveTextAsync("online");
        await Assertions.Expect(row.Locator("[data-field=backpressure]")).ToContainTextAsync("healthy");
        await Assertions.Expect(page.Locator($"tr[data-model=\"{MonitoringFixture.Embedding}\"]")).ToContainTextAsync("embeddings");
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        var before = int.Parse(await row.Locator("[data-field=requests]").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        var seen = int.Parse(await page.Locator("#request-count").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);

        using var http = api.CreateClient();
        (await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = MonitoringFixture.Gguf,
            max_tokens = 16,
            messages = new[] { new { role = "user", content = $"What does \"maple\" mean? {Guid.NewGuid():N}" } },
        })).EnsureSuccessStatusCode();

        // The request event arrives over /api/events and the page counts it, then the next snapshot agrees.
        await Assertions.Expect(page.Locator("#request-count")).Not.ToHaveTextAsync(seen.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#log")).ToContainTextAsync(MonitoringFixture.Gguf);
        // The service's operational events, the model loads among them.
        await Assertions.Expect(page.Locator($"#events [data-code=\"model.loaded\"]").Filter(new() { HasText = MonitoringFixture.Gguf })).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("[data-field=requests]")).Not.ToHaveTextAsync(before.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(row.Locator("[data-field=last-request]")).Not.ToHaveTextAsync("—");

        var screenshots = Path.Combine(Repository.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "dashboard.png"), FullPage = true });
        Assert.Empty(errors);
    }

    private static string Chromium()
    {
        string[] candidates = [Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "", "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("No Chromium here (Debian: apt-get install chromium; or set CHROMIUM_PATH); .ci/run installs it.");
    }
}
