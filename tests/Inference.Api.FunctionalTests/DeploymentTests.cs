using System.Net.Http.Json;
using System.Text.Json;

namespace Inference.Api.FunctionalTests;

/// <summary>Seed 001's deployment strategies through the HTTP API: switches, rollbacks, canary splits, steps and automatic rollback.</summary>
public sealed class DeploymentTests : IDisposable
{
    private const string Model = LifecycleHost.Model;
    private const string Next = $"{Model}:2.0";
    private readonly LifecycleHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Blue_green_switches_all_traffic_at_once_and_rolls_back_instantly()
    {
        await using var api = _host.Start();
        using var http = await RegisteredAsync(api);

        var deployment = await LifecycleHost.PostAsync(http, $"/models/{Model}/deploy", """{"version":"2.0","strategy":"blue-green"}""", 201);
        Assert.Equal(("completed", "1", 100.0), (deployment.GetProperty("status").GetString(), deployment.GetProperty("previous_version").GetString(), deployment.GetProperty("percent").GetDouble()));
        Assert.All(await AnswersAsync(http, 20), m => Assert.Equal(Next, m));

        var id = deployment.GetProperty("id").GetString();
        var rolledBack = await LifecycleHost.PostAsync(http, $"/deployments/{id}/rollback", "{}");
        Assert.Equal("rolled_back", rolledBack.GetProperty("status").GetString());
        Assert.All(await AnswersAsync(http, 20), m => Assert.Equal(Model, m));
        Assert.Equal(["started", "rolled_back"], rolledBack.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("event").GetString()!).ToArray());

        var versions = await http.GetFromJsonAsync<JsonElement>($"/models/{Model}");
        Assert.Equal("1", versions.GetProperty("active_version").GetString());
        var lineage = versions.GetProperty("lineage").EnumerateArray().TakeLast(2).Select(l => (l.GetProperty("version").GetString(), l.GetProperty("replaced").GetString())).ToArray();
        Assert.Equal([("2.0", "1"), ("1", "2.0")], lineage);

        var history = await http.GetFromJsonAsync<JsonElement>($"/models/{Model}/deployments");
        Assert.Equal(id, history[0].GetProperty("id").GetString());
        await RegistryLifecycleTests.AssertProblemAsync(http, $"/deployments/{id}/rollback", "{}", 409, "already rolled back");

        // Both are operational events of the model.
        var events = await Eventually.HoldsAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/operational-events?model={Model}"),
            e => e.GetProperty("events").EnumerateArray().Any(x => x.GetProperty("code").GetString() == "deployment.rolled_back"));
        var codes = events.GetProperty("events").EnumerateArray().Select(x => x.GetProperty("code").GetString()).Where(c => c!.StartsWith("deployment.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["deployment.rolled_back", "deployment.started"], codes);
    }

    [Fact]
    public async Task A_canary_takes_its_share_of_callers_keeps_each_caller_and_completes_when_promoted_to_100()
    {
        await using var api = _host.Start();
        using var http = await RegisteredAsync(api);
        var deployment = await LifecycleHost.PostAsync(http, $"/models/{Model}/deploy",
            """{"version":"2.0","strategy":"canary","canary_percent":30,"min_requests":100000}""", 201);
        var id = deployment.GetProperty("id").GetString();

        // Each deployment hashes callers afresh: 600 callers put the share within 4 standard deviations of 30%.
        const int Callers = 600;
        var first = await AnswersAsync(http, Callers);
        var share = first.Count(m => m == Next) / (double)Callers;
        Assert.InRange(share, 0.225, 0.375);
        Assert.Equal(0.3, await LifecycleHost.MetricAsync(http, "ml_inference_traffic_share", $"experiment=\"{id}\"", "arm=\"canary\""), 1e-9);

        // Sticky: a caller keeps its side.
        for (var caller = 0; caller < 10; caller++)
        {
            var again = await LifecycleHost.AnsweredByAsync(http, Model, $"caller-{caller}");
            Assert.Equal(first[caller], again);
        }

        // Stepping up moves more callers to the canary and none back.
        var stepped = await LifecycleHost.PostAsync(http, $"/deployments/{id}/promote", """{"percent":60}""");
        Assert.Equal(("in_progress", 60.0), (stepped.GetProperty("status").GetString(), stepped.GetProperty("percent").GetDouble()));
        var second = await AnswersAsync(http, Callers);
        Assert.InRange(second.Count(m => m == Next) / (double)Callers, 0.52, 0.68);
        Assert.All(Enumerable.Range(0, Callers).Where(i => first[i] == Next), i => Assert.Equal(Next, second[i]));

        var status = await Eventually.HoldsAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/deployments/{id}"),
            d => d.GetProperty("arms").GetArrayLength() == 2);
        Assert.Equal(["canary", "stable"], status.GetProperty("arms").EnumerateArray().Select(a => a.GetProperty("arm").GetString()!).ToArray());

        var done = await LifecycleHost.PostAsync(http, $"/deployments/{id}/promote", """{"percent":100}""");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.All(await AnswersAsync(http, 50), m => Assert.Equal(Next, m));
        Assert.Equal("2.0", (await http.GetFromJsonAsync<JsonElement>($"/models/{Model}")).GetProperty("active_version").GetString());
    }

    [Fact]
    public async Task A_canary_that_fails_more_than_the_stable_version_rolls_itself_back()
    {
        await using var api = _host.Start();
        using var http = await LifecycleHost.ReadyAsync(api);

        // A version whose provider is not there: every call to it fails.
        await LifecycleHost.PostAsync(http, "/models/register",
            $$"""{"name":"{{Model}}","version":"broken","provider":"openai","connection_string":"Endpoint=http://127.0.0.1:9/v1;Model=x","kind":"chat"}""", 201);
        var deployment = await LifecycleHost.PostAsync(http, $"/models/{Model}/deploy",
            """{"version":"broken","strategy":"canary","canary_percent":50,"min_requests":3,"max_error_rate_increase":0.1}""", 201);
        var id = deployment.GetProperty("id").GetString();

        var failed = 0;
        for (var caller = 0; caller < 30; caller++)
        {
            failed += await LifecycleHost.TryAnsweredByAsync(http, Model, $"caller-{caller}") is null ? 1 : 0;
        }

        Assert.InRange(failed, 3, 27);
        var rolledBack = await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>($"/deployments/{id}"), d => d.GetProperty("status").GetString() == "rolled_back");
        Assert.Contains("error rate", rolledBack.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("rolled_back", rolledBack.GetProperty("history").EnumerateArray().Last().GetProperty("event").GetString());
        Assert.All(await AnswersAsync(http, 30), m => Assert.Equal(Model, m));
    }

    [Fact]
    public async Task A_scheduled_canary_steps_up_on_its_own_until_it_takes_all_traffic()
    {
        await using var api = _host.Start();
        using var http = await RegisteredAsync(api);
        var deployment = await LifecycleHost.PostAsync(http, $"/models/{Model}/deploy",
            """{"version":"2.0","strategy":"canary","canary_percent":20,"step_percent":40,"step_interval_seconds":0.5,"min_requests":100000}""", 201);
        var id = deployment.GetProperty("id").GetString();
        var done = await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>($"/deployments/{id}"), d => d.GetProperty("status").GetString() == "completed");
        var events = done.GetProperty("history").EnumerateArray().Select(e => (e.GetProperty("event").GetString(), e.GetProperty("percent").GetDouble())).ToArray();
        Assert.Equal([("started", 20.0), ("stepped", 60.0), ("completed", 100.0)], events);
        var operational = await Eventually.HoldsAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/operational-events?model={Model}"),
            e => e.GetProperty("events").EnumerateArray().Any(x => x.GetProperty("code").GetString() == "deployment.completed"));
        Assert.Equal(
            ["deployment.completed", "deployment.stepped", "deployment.started"],
            operational.GetProperty("events").EnumerateArray().Select(x => x.GetProperty("code").GetString()).Where(c => c!.StartsWith("deployment.", StringComparison.Ordinal)));
        Assert.All(await AnswersAsync(http, 20), m => Assert.Equal(Next, m));
    }

    [Fact]
    public async Task Deployments_that_cannot_proceed_are_refused()
    {
        await using var api = _host.Start();
        using var http = await RegisteredAsync(api);
        await RegistryLifecycleTests.AssertProblemAsync(http, $"/models/{Model}/deploy", """{"version":"2.0","strategy":"sideways"}""", 400, "strategy must be");
        await RegistryLifecycleTests.AssertProblemAsync(http, $"/models/{Model}/deploy", """{"version":"2.0","strategy":"rolling"}""", 400, "rolling");
        await RegistryLifecycleTests.AssertProblemAsync(http, $"/models/{Model}/deploy", """{"version":"1"}""", 409, "already active");
        await RegistryLifecycleTests.AssertProblemAsync(http, $"/models/{Model}/deploy", """{"version":"7"}""", 404, "no version");
        await RegistryLifecycleTests.AssertProblemAsync(http, $"/models/{Model}/deploy", """{"version":"2.0","strategy":"canary","canary_percent":100}""", 400, "canary_percent");

        var canary = await LifecycleHost.PostAsync(http, $"/models/{Model}:2.0/deploy", """{"strategy":"canary","min_requests":100000}""", 201);
        await RegistryLifecycleTests.AssertProblemAsync(http, $"/models/{Model}/deploy", """{"version":"2.0","strategy":"canary"}""", 409, "in progress");
        await RegistryLifecycleTests.AssertProblemAsync(http, "/ab-tests/start", $$"""{"test_id":"t","model_a":"{{Model}}","model_b":"{{Next}}","traffic_split":0.5}""", 409, "already split");
        await RegistryLifecycleTests.AssertProblemAsync(http, $"/deployments/{canary.GetProperty("id").GetString()}/promote", """{"percent":150}""", 400, "percent");
        using var missing = await http.GetAsync("/deployments/nothing");
        Assert.Equal(404, (int)missing.StatusCode);
    }

    /// <summary>The Api with version 2.0 of the model registered (the same weights, loaded again) and ready.</summary>
    private static async Task<HttpClient> RegisteredAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> api)
    {
        var http = await LifecycleHost.ReadyAsync(api);
        await LifecycleHost.PostAsync(http, "/models/register", $$"""{"name":"{{Model}}","version":"2.0","model_path":"wordnet-chat-1m"}""", 201);
        return http;
    }

    /// <summary>Who answered callers caller-0 ... caller-(n-1), in order.</summary>
    private static async Task<List<string>> AnswersAsync(HttpClient http, int callers)
    {
        var answers = new List<string>(callers);
        for (var caller = 0; caller < callers; caller++)
        {
            answers.Add(await LifecycleHost.AnsweredByAsync(http, Model, $"caller-{caller}"));
        }

        return answers;
    }
}
