using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// Seed 004's operational events: the service's start, each model's load (with its duration) and unload, readiness,
/// health changes and circuit breakers, kept in the metadata database (kept over a restart), listed newest first with
/// filters and pages, and pushed on the live event stream.
/// </summary>
public sealed class OperationalEventsTests : IDisposable
{
    private const string Model = LifecycleHost.Model;
    private readonly LifecycleHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_start_is_recorded_in_order_and_kept_in_the_database_over_a_restart()
    {
        var firstStart = await StartAndReadAsync(starts: 1);
        var codes = firstStart.Select(e => e.GetProperty("code").GetString()).Reverse().ToList();
        // Oldest first: startup, the model's loading and loaded, the HTTP services, ready.
        Assert.Equal(["startup", "model.loading", "model.loaded", "services.init", "server.ready"], codes.Where(c => c != "health.changed").Take(5));
        var loaded = firstStart.Single(e => e.GetProperty("code").GetString() == "model.loaded");
        Assert.Equal(Model, loaded.GetProperty("model").GetString());
        Assert.True(loaded.GetProperty("duration_ms").GetDouble() > 0);
        Assert.Equal("info", loaded.GetProperty("level").GetString());
        Assert.Equal("Inference.Api", loaded.GetProperty("service").GetString());

        // The second start's events come on top of the first's, which the database kept.
        var both = await StartAndReadAsync(starts: 2);
        Assert.Equal(2, both.Count(e => e.GetProperty("code").GetString() == "startup"));
        Assert.True(both.Count >= 2 * 5);
        var times = both.Select(e => e.GetProperty("timestamp").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);
    }

    [Fact]
    public void Events_of_one_moment_sort_in_the_order_they_happened()
    {
        // A stopped clock, then one that goes back: times never decrease and ids grow, so the databases' order (time,
        // then id as its text or bytes read) is the order of recording, even within one stored tick.
        var time = new Clock { Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) };
        var events = new Inference.Serving.Events.OperationalEvents(
            Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(new Microsoft.Extensions.DependencyInjection.ServiceCollection()),
            new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ApplicationName = "test" },
            time);
        var recorded = Enumerable.Range(0, 100).Select(i => events.Info("code", $"{i}")).ToList();
        time.Now = time.Now.AddSeconds(-5);
        recorded.AddRange(Enumerable.Range(100, 100).Select(i => events.Info("code", $"{i}")));

        var sorted = recorded.OrderBy(e => e.Timestamp).ThenBy(e => e.Id.ToString(), StringComparer.Ordinal).ToList();
        Assert.Equal(recorded.Select(e => e.Message), sorted.Select(e => e.Message));
        Assert.Equal(recorded.Select(e => e.Message), recorded.OrderBy(e => e.Timestamp).ThenBy(e => e.Id.ToByteArray(bigEndian: true), ByteOrder.Instance).Select(e => e.Message));
        Assert.Equal(recorded.Select(e => e.Message).Reverse(), events.Recent().Select(e => e.Message));
    }

    /// <summary>A clock set by hand, back as well as forward (as a system clock corrected by NTP).</summary>
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    [Fact]
    public async Task Events_are_filtered_paged_and_refused_clearly_when_asked_wrongly()
    {
        await using var api = _host.Start();
        using var http = await LifecycleHost.ReadyAsync(api);
        await Eventually.HoldsAsync(() => Page(http, ""), p => Codes(p).Contains("server.ready"));

        // A model unloaded after its request (Ollama's keep_alive 0) is an event of its own.
        using (var generate = await http.PostAsJsonAsync("/api/generate", new { model = Model, prompt = "dog", stream = false, keep_alive = 0, options = new { num_predict = 2 } }))
        {
            Assert.Equal(HttpStatusCode.OK, generate.StatusCode);
        }

        var unloaded = await Eventually.HoldsAsync(() => Page(http, "?code=model.unloaded"), p => p.GetProperty("total").GetInt32() >= 1);
        Assert.All(Events(unloaded), e => Assert.Equal(("model.unloaded", Model), (e.GetProperty("code").GetString(), e.GetProperty("model").GetString())));

        var all = await Page(http, "?limit=500");
        Assert.Equal("database", all.GetProperty("source").GetString());
        Assert.Equal(all.GetProperty("total").GetInt32(), all.GetProperty("events").GetArrayLength());

        // The model's events (no new ones come meanwhile): pages of two cover them in order.
        var forModel = await Page(http, $"?model={Model}&limit=500");
        Assert.All(Events(forModel), e => Assert.Equal(Model, e.GetProperty("model").GetString()));
        Assert.Equal(["model.unloaded", "model.loaded", "model.loading"], Codes(forModel));
        var paged = new List<string>();
        for (var offset = 0; offset < 3; offset += 2)
        {
            var page = await Page(http, $"?model={Model}&limit=2&offset={offset}");
            Assert.Equal(3, page.GetProperty("total").GetInt32());
            paged.AddRange(Events(page).Select(e => e.GetProperty("id").GetString()!));
        }

        Assert.Equal(Events(forModel).Select(e => e.GetProperty("id").GetString()), paged);

        // Filters: level, since.
        var warnings = await Page(http, "?level=warning&limit=500");
        Assert.All(Events(warnings), e => Assert.Equal("warning", e.GetProperty("level").GetString()));
        var infos = await Page(http, "?level=info&limit=500");
        Assert.Contains("startup", Codes(infos));
        var unloadedAt = Events(forModel)[0].GetProperty("timestamp").GetDateTimeOffset();
        var since = await Page(http, $"?since={Uri.EscapeDataString(unloadedAt.ToString("O"))}&limit=500");
        Assert.Contains("model.unloaded", Codes(since));
        Assert.All(Events(since), e => Assert.True(e.GetProperty("timestamp").GetDateTimeOffset() >= unloadedAt));
        Assert.DoesNotContain("startup", Codes(since));

        foreach (var wrong in new[] { "?level=loud", "?limit=0", "?limit=501", "?offset=-1", "?since=yesterday" })
        {
            using var response = await http.GetAsync("/api/operational-events" + wrong);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    [Fact]
    public async Task Each_event_is_pushed_on_the_live_stream_and_a_failing_provider_opens_its_breaker_as_an_event()
    {
        var port = ServiceProcess.FreePort();
        await using var api = _host.Start(b =>
        {
            b.UseSetting("Inference:Remote:ghost:Provider", "worker");
            b.UseSetting("Inference:Remote:ghost:ConnectionString", $"Endpoint=http://127.0.0.1:{port};Model=x");
            b.UseSetting("Inference:Routing:CircuitBreaker:MinimumThroughput", "2");
        });
        using var http = await LifecycleHost.ReadyAsync(api);
        using var stream = await http.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        // Calls to a provider that is not there open its breaker: an event in the database and on the stream.
        for (var i = 0; i < 4; i++)
        {
            using var failed = await http.PostAsJsonAsync("/v1/chat/completions", new { model = "ghost", messages = new[] { new { role = "user", content = "hi" } } });
            Assert.True((int)failed.StatusCode >= 500);
        }

        var pushed = await MonitoringTests.NextEventAsync(reader, "operational", timeout.Token);
        while (pushed.GetProperty("code").GetString() != "circuit.opened")
        {
            pushed = await MonitoringTests.NextEventAsync(reader, "operational", timeout.Token);
        }

        Assert.Equal("warning", pushed.GetProperty("level").GetString());
        Assert.Equal("ghost", pushed.GetProperty("model").GetString());
        var stored = await Eventually.HoldsAsync(() => Page(http, "?code=circuit.opened"), p => p.GetProperty("total").GetInt32() >= 1);
        Assert.Equal(pushed.GetProperty("id").GetString(), Events(stored).First().GetProperty("id").GetString());
    }

    /// <summary>Starts the Api and reads the events in the database once the events of <paramref name="starts"/> starts (this one's too) are written there.</summary>
    private async Task<List<JsonElement>> StartAndReadAsync(int starts)
    {
        await using var api = _host.Start();
        using var http = await LifecycleHost.ReadyAsync(api);
        var page = await Eventually.HoldsAsync(
            () => Page(http, "?limit=500"),
            p => Events(p).Count(e => e.GetProperty("code").GetString() == "server.ready") >= starts && p.GetProperty("source").GetString() == "database");
        return Events(page);
    }

    private static Task<JsonElement> Page(HttpClient http, string query) => http.GetFromJsonAsync<JsonElement>("/api/operational-events" + query);

    private static List<JsonElement> Events(JsonElement page) => [.. page.GetProperty("events").EnumerateArray()];

    private static List<string?> Codes(JsonElement page) => [.. Events(page).Select(e => e.GetProperty("code").GetString())];
}
