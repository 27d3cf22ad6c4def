using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Inference.Api.FunctionalTests;

/// <summary>/metrics, /alerts/active, /performance/report, /api/services and /api/events of a running Api.</summary>
public sealed partial class MonitoringTests(MonitoringFixture api) : IClassFixture<MonitoringFixture>
{
    [Fact]
    public async Task Metrics_carry_the_seed_names_per_model_and_status_beside_the_genai_and_engine_metrics()
    {
        using var http = api.CreateClient();
        await StreamChatAsync(http, MonitoringFixture.Chat, "What does \"cat\" mean?");
        await ChatAsync(http, MonitoringFixture.Gguf, "What does \"tree\" mean?");
        (await http.PostAsJsonAsync("/v1/embeddings", new { model = MonitoringFixture.Embedding, input = "a guitar" })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/v1/embeddings", new { model = MonitoringFixture.Embedding, input = "a guitar" })).EnsureSuccessStatusCode();

        var metrics = await ScrapeAsync(http);
        Assert.True(Value(metrics, "ml_inference_requests_total", ("model", MonitoringFixture.Chat), ("operation", "chat"), ("status", "ok")) >= 1);
        Assert.True(Value(metrics, "ml_inference_requests_total", ("model", MonitoringFixture.Embedding), ("operation", "embeddings"), ("status", "ok")) >= 2);
        Assert.True(Value(metrics, "ml_inference_request_duration_seconds_count", ("model", MonitoringFixture.Gguf), ("status", "ok")) >= 1);
        Assert.True(Value(metrics, "ml_inference_request_duration_seconds_bucket", ("model", MonitoringFixture.Gguf), ("le", "+Inf")) >= 1);
        Assert.True(Value(metrics, "ml_inference_time_to_first_token_seconds_count", ("model", MonitoringFixture.Chat)) >= 1);
        Assert.InRange(Value(metrics, "ml_inference_memory_usage_percent"), 0.01, 100);
        Assert.InRange(Value(metrics, "ml_inference_health_score"), 0, 100);
        // The ghost's breaker as the status route reports it (closed until it has failed enough, whichever test ran first).
        var breakers = await http.GetFromJsonAsync<JsonElement>("/circuit-breaker/status");
        var ghostOpen = breakers.GetProperty("breakers").EnumerateArray().Any(b => b.GetProperty("state").GetString() == "open"
            && b.GetProperty("models").EnumerateArray().Any(m => m.GetString() == MonitoringFixture.Ghost));
        Assert.Equal(ghostOpen ? 1 : 0, Value(metrics, "ml_inference_circuit_breaker_state", ("model", MonitoringFixture.Ghost)));

        // The engines' queue and batch gauges per model, the cache's hits and misses, GenAI's own duration histogram.
        Assert.Equal(0, Value(metrics, "inference_engine_queue_depth", ("model", MonitoringFixture.Gguf)));
        Assert.True(Value(metrics, "inference_engine_kv_cells_capacity", ("model", MonitoringFixture.Gguf)) > 0);
        Assert.True(Value(metrics, "inference_cache_hits_total") >= 1, "the second, identical embedding is a cache hit");
        Assert.True(Value(metrics, "inference_cache_misses_total") >= 1);
        Assert.True(Value(metrics, "gen_ai_client_operation_duration_seconds_count", ("gen_ai_request_model", MonitoringFixture.Chat)) >= 1);
        await Eventually.HoldsAsync(async () => await ScrapeAsync(http), m => m.Contains("ml_inference_model_up{", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_metric_the_alert_rules_and_the_grafana_dashboard_use_is_exported()
    {
        using var http = api.CreateClient();
        await StreamChatAsync(http, MonitoringFixture.Chat, "What does \"dog\" mean?");
        await ChatAsync(http, MonitoringFixture.Gguf, "What does \"dog\" mean?");
        (await http.PostAsJsonAsync("/v1/embeddings", new { model = MonitoringFixture.Embedding, input = "dog" })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/v1/embeddings", new { model = MonitoringFixture.Embedding, input = "dog" })).EnsureSuccessStatusCode();
        await FailGhostAsync(http, calls: 1);
        var metrics = await Eventually.HoldsAsync(async () => await ScrapeAsync(http), m => m.Contains("ml_inference_model_up{", StringComparison.Ordinal));
        var exported = MetricNames().Matches(metrics).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var labels = LabelNames().Matches(metrics).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        var used = new[] { "deploy/prometheus/inference-alerts.yml", "deploy/grafana/inference-dashboard.json" }
            .SelectMany(f => UsedMetrics().Matches(File.ReadAllText(Path.Combine(Repository.Root, f))).Select(m => m.Value))
            .Where(name => !labels.Contains(name))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("ml_inference_requests_total", used);
        Assert.Contains("inference_engine_queue_depth", used);
        Assert.Empty(used.Where(name => !exported.Contains(name)).Order(StringComparer.Ordinal));
        // The dashboard is valid JSON with panels that query Prometheus.
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "deploy/grafana/inference-dashboard.json")));
        Assert.True(dashboard.RootElement.GetProperty("panels").GetArrayLength() >= 10);
    }

    [Fact]
    public async Task A_failing_model_and_an_unreachable_service_raise_their_alerts_and_lower_the_health_score()
    {
        using var http = api.CreateClient();
        await ChatAsync(http, MonitoringFixture.Chat, "What does \"dog\" mean?");
        await FailGhostAsync(http, calls: 3);

        // Three failures in a row open the ghost's circuit breaker too.
        var alerts = await Eventually.HoldsAsync(
            async () => await http.GetFromJsonAsync<JsonElement>("/alerts/active"),
            a => Names(a).IsSupersetOf(["HighErrorRate", "ModelDown", "ServiceDown", "HighLatency", "LowHealthScore", "CircuitBreakerOpen"]));
        Assert.Equal($"http://127.0.0.1:{MonitoringFixture.GhostPort}/v1", Single(alerts, "CircuitBreakerOpen", MonitoringFixture.Ghost).GetProperty("service").GetString());
        var errorRate = Single(alerts, "HighErrorRate", MonitoringFixture.Ghost);
        Assert.Equal(1.0, errorRate.GetProperty("value").GetDouble());
        Assert.Equal(0.10, errorRate.GetProperty("threshold").GetDouble());
        Assert.Equal("critical", errorRate.GetProperty("severity").GetString());
        Assert.Contains("100%", errorRate.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains($"its service worker (127.0.0.1:{MonitoringFixture.GhostPort}) does not answer", Single(alerts, "ModelDown", MonitoringFixture.Ghost).GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal($"worker (127.0.0.1:{MonitoringFixture.GhostPort})", alerts.GetProperty("alerts").EnumerateArray().First(a => a.GetProperty("name").GetString() == "ServiceDown").GetProperty("service").GetString());
        Assert.Contains(alerts.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("name").GetString() == "HighLatency" && a.GetProperty("model").GetString() == MonitoringFixture.Chat);
        Assert.DoesNotContain(alerts.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("name").GetString() is "HighErrorRate" or "ModelDown" && a.GetProperty("model").GetString() == MonitoringFixture.Chat);

        // An alert keeps the time it started while it fires.
        var since = errorRate.GetProperty("since").GetDateTimeOffset();
        await Task.Delay(500);
        Assert.Equal(since, Single(await http.GetFromJsonAsync<JsonElement>("/alerts/active"), "HighErrorRate", MonitoringFixture.Ghost).GetProperty("since").GetDateTimeOffset());

        var metrics = await ScrapeAsync(http);
        Assert.True(Value(metrics, "ml_inference_health_score") < 70);
        Assert.Equal(0, Value(metrics, "ml_inference_model_up", ("model", MonitoringFixture.Ghost)));
        Assert.Equal(1, Value(metrics, "ml_inference_model_up", ("model", MonitoringFixture.Chat)));
        Assert.True(Value(metrics, "ml_inference_errors_total", ("model", MonitoringFixture.Ghost)) >= 2);

        var services = await http.GetFromJsonAsync<JsonElement>("/api/services");
        var ghost = services.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("kind").GetString() == "worker");
        Assert.Equal("offline", ghost.GetProperty("status").GetString());
        Assert.Equal("offline", ghost.GetProperty("models")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_performance_report_gives_counts_percentiles_token_rates_and_cache_hits_per_model()
    {
        using var http = api.CreateClient();
        var question = $"What does \"oak\" mean? {Guid.NewGuid():N}";
        for (var i = 0; i < 3; i++)
        {
            await StreamChatAsync(http, MonitoringFixture.Gguf, question);
        }

        var report = await http.GetFromJsonAsync<JsonElement>("/performance/report?window=5m");
        Assert.Equal(300, report.GetProperty("window_seconds").GetDouble());
        var gguf = report.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model").GetString() == MonitoringFixture.Gguf);
        Assert.Equal("chat", gguf.GetProperty("operation").GetString());
        Assert.True(gguf.GetProperty("requests").GetInt32() >= 3);
        Assert.Equal(0, gguf.GetProperty("error_rate").GetDouble());
        var latency = gguf.GetProperty("latency_ms");
        Assert.True(latency.GetProperty("p50").GetDouble() > 0);
        Assert.True(latency.GetProperty("p50").GetDouble() <= latency.GetProperty("p95").GetDouble());
        Assert.True(latency.GetProperty("p95").GetDouble() <= latency.GetProperty("p99").GetDouble());
        Assert.True(gguf.GetProperty("time_to_first_token_ms").GetProperty("p50").GetDouble() > 0);
        Assert.True(gguf.GetProperty("output_tokens").GetInt64() > 10);
        Assert.True(gguf.GetProperty("output_tokens_per_second").GetDouble() > 0);
        // Deterministic requests after the first are answered by the cache.
        Assert.True(gguf.GetProperty("cache_hits").GetInt32() >= 2);
        Assert.Equal(Math.Round((double)gguf.GetProperty("cache_hits").GetInt32() / gguf.GetProperty("requests").GetInt32(), 4), gguf.GetProperty("cache_hit_rate").GetDouble());
        Assert.Equal(report.GetProperty("models").EnumerateArray().Sum(m => m.GetProperty("requests").GetInt32()), report.GetProperty("totals").GetProperty("requests").GetInt32());

        foreach (var bad in new[] { "abc", "-5m", "2h" })
        {
            using var response = await http.GetAsync($"/performance/report?window={bad}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(bad, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Services_list_each_model_with_capabilities_queue_and_backpressure()
    {
        using var http = api.CreateClient();
        var services = await http.GetFromJsonAsync<JsonElement>("/api/services");
        var self = services.GetProperty("services")[0];
        Assert.Equal("gateway", self.GetProperty("kind").GetString());
        Assert.True(self.GetProperty("uptime_seconds").GetDouble() >= 0);
        var gguf = self.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model_name").GetString() == MonitoringFixture.Gguf);
        Assert.Equal("online", gguf.GetProperty("status").GetString());
        Assert.Equal(["text-generation", "chat", "json-schema", "tools", "grammar-constrained"], gguf.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        var info = gguf.GetProperty("model_info");
        Assert.Equal("llama", info.GetProperty("architecture").GetString());
        Assert.Equal("gguf", info.GetProperty("format").GetString());
        Assert.True(info.GetProperty("parameters").GetInt64() > 100_000);
        Assert.Matches(@"^\d+(\.\d)?[KMB]$", info.GetProperty("parameter_count").GetString());
        Assert.True(info.GetProperty("context_size").GetInt32() > 0);
        var queue = gguf.GetProperty("queue_metrics");
        Assert.Equal(4, queue.GetProperty("max_sequences").GetInt32());
        Assert.True(queue.GetProperty("kv_cells_capacity").GetInt32() > 0);
        Assert.Equal("healthy", gguf.GetProperty("backpressure_status").GetProperty("level").GetString());
        var chat = self.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model_name").GetString() == MonitoringFixture.Chat);
        Assert.Equal(MonitoringFixture.QueueLimit, chat.GetProperty("queue_metrics").GetProperty("queue_capacity").GetInt32());
        var levels = await Eventually.HoldsAsync(async () => await ScrapeAsync(http), m => m.Contains("ml_inference_backpressure_level{", StringComparison.Ordinal));
        Assert.Equal(0, Value(levels, "ml_inference_backpressure_level", ("model", MonitoringFixture.Chat)));
        var embedding = self.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model_name").GetString() == MonitoringFixture.Embedding);
        Assert.Equal(["embeddings"], embedding.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(64, embedding.GetProperty("model_info").GetProperty("embedding_size").GetInt32());

        var name = self.GetProperty("name").GetString()!;
        Assert.Equal(name, (await http.GetFromJsonAsync<JsonElement>($"/api/services/{name}")).GetProperty("name").GetString());
        using var missing = await http.GetAsync("/api/services/nowhere");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains(name, (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_event_stream_sends_snapshots_and_each_finished_request()
    {
        using var http = api.CreateClient();
        using var events = await http.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        var snapshot = await NextEventAsync(reader, "snapshot", timeout.Token);
        Assert.Contains(snapshot.GetProperty("services")[0].GetProperty("models").EnumerateArray(), m => m.GetProperty("model_name").GetString() == MonitoringFixture.Chat);

        var question = $"What does \"dog\" mean? {Guid.NewGuid():N}";
        using var other = api.CreateClient();
        _ = ChatAsync(other, MonitoringFixture.Chat, question);
        var request = await NextEventAsync(reader, "request", timeout.Token);
        Assert.Equal(MonitoringFixture.Chat, request.GetProperty("model").GetString());
        Assert.Equal("ok", request.GetProperty("status").GetString());
        Assert.True(request.GetProperty("output_tokens").GetInt32() > 0);
        Assert.True(request.GetProperty("latency_ms").GetDouble() > 0);
    }

    internal static async Task<JsonElement> NextEventAsync(StreamReader reader, string type, CancellationToken cancellationToken)
    {
        string? current = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                current = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && current == type)
            {
                return JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
            }
        }

        throw new InvalidOperationException($"The stream ended before a {type} event.");
    }

    private static async Task ChatAsync(HttpClient http, string model, string question) =>
        (await http.PostAsJsonAsync("/v1/chat/completions", new { model, temperature = 0, max_tokens = 24, messages = new[] { new { role = "user", content = question } } })).EnsureSuccessStatusCode();

    private static async Task StreamChatAsync(HttpClient http, string model, string question)
    {
        using var response = await http.PostAsJsonAsync("/v1/chat/completions", new { model, temperature = 0, stream = true, max_tokens = 24, messages = new[] { new { role = "user", content = question } } });
        response.EnsureSuccessStatusCode();
        Assert.Contains("data: [DONE]", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Calls the ghost one after another: each fails (502), or once its breaker is open, is refused at once (503).</summary>
    private static async Task FailGhostAsync(HttpClient http, int calls)
    {
        for (var call = 0; call < calls; call++)
        {
            using var response = await http.PostAsJsonAsync("/v1/chat/completions", new { model = MonitoringFixture.Ghost, messages = new[] { new { role = "user", content = "hi" } } });
            Assert.Contains(response.StatusCode, (HttpStatusCode[])[HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable]);
        }
    }

    private static async Task<string> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of a metric's samples whose labels include <paramref name="labels"/>.</summary>
    private static double Value(string metrics, string name, params (string Key, string Value)[] labels)
    {
        var samples = metrics.Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
            .Where(l => labels.All(p => l.Contains($"{p.Key}=\"{p.Value}\"", StringComparison.Ordinal)))
            .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))
            .ToList();
        Assert.True(samples.Count > 0, $"no sample of {name} with {string.Join(", ", labels)} in /metrics");
        return samples.Sum();
    }

    private static HashSet<string> Names(JsonElement alerts) =>
        alerts.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("name").GetString()!).ToHashSet(StringComparer.Ordinal);

    private static JsonElement Single(JsonElement alerts, string name, string model) =>
        alerts.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("name").GetString() == name && a.GetProperty("model").GetString() == model);

    [GeneratedRegex(@"^([a-z_][a-z0-9_]*)(?:\{| )", RegexOptions.Multiline)]
    private static partial Regex MetricNames();

    [GeneratedRegex(@"[{,]([a-z_][a-z0-9_]*)=""")]
    private static partial Regex LabelNames();

    [GeneratedRegex(@"\b(?:ml_inference|inference|gen_ai)_[a-z0-9_]+\b")]
    private static partial Regex UsedMetrics();
}
