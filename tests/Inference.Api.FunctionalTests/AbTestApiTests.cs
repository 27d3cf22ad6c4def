using System.Net.Http.Json;
using System.Text.Json;

namespace Inference.Api.FunctionalTests;

/// <summary>Seed 001's A/B tests through the HTTP API: the split, each arm's numbers, feedback, the verdict, stopping.</summary>
public sealed class AbTestApiTests : IDisposable
{
    private const string Model = LifecycleHost.Model;
    private readonly LifecycleHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task An_ab_test_splits_callers_as_asked_counts_each_arm_joins_feedback_and_stops()
    {
        await using var api = _host.Start();
        using var http = await LifecycleHost.ReadyAsync(api);
        await LifecycleHost.PostAsync(http, "/models/register", $$"""{"name":"{{Model}}","version":"1.1.0","model_path":"wordnet-chat-1m"}""", 201);
        var started = await LifecycleHost.PostAsync(http, "/ab-tests/start", $$"""
            {"test_id":"model-comparison-1","model_a":"{{Model}}:1","model_b":"{{Model}}:1.1.0","traffic_split":0.25,"duration_hours":24,
             "success_metrics":["accuracy","response_time"]}
            """, 201);
        Assert.Equal((Model, "running"), (started.GetProperty("route").GetString(), started.GetProperty("status").GetString()));

        // 800 callers put B's share within 4 standard deviations of 25%.
        const int Callers = 800;
        var answers = new List<string>(Callers);
        for (var caller = 0; caller < Callers; caller++)
        {
            answers.Add(await LifecycleHost.AnsweredByAsync(http, Model, $"user-{caller}", requestId: $"ab-{caller}"));
        }

        var toB = answers.Count(a => a == $"{Model}:1.1.0");
        Assert.InRange(toB / (double)Callers, 0.19, 0.31);
        Assert.Equal(Callers, toB + answers.Count(a => a == Model));

        // A pinned version is not split.
        Assert.Equal(Model, await LifecycleHost.AnsweredByAsync(http, $"{Model}:1", "user-anyone"));

        // Feedback for the first ten requests of each arm: 1 for A's, 0.5 for B's.
        var ofA = Enumerable.Range(0, Callers).Where(i => answers[i] == Model).Take(10).ToList();
        var ofB = Enumerable.Range(0, Callers).Where(i => answers[i] != Model).Take(10).ToList();
        foreach (var (index, score) in ofA.Select(i => (i, 1.0)).Concat(ofB.Select(i => (i, 0.5))))
        {
            await LifecycleHost.PostAsync(http, "/api/feedback", $$"""{"request_id":"ab-{{index}}","score":{{score.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""", 201);
        }

        var result = await Eventually.HoldsAsync(
            () => http.GetFromJsonAsync<JsonElement>("/ab-tests/model-comparison-1"),
            r => r.GetProperty("arms").EnumerateArray().Sum(a => a.GetProperty("requests").GetInt32()) == Callers);
        var arms = result.GetProperty("arms").EnumerateArray().ToDictionary(a => a.GetProperty("arm").GetString()!);
        Assert.Equal(Callers - toB, arms["a"].GetProperty("requests").GetInt32());
        Assert.Equal(toB, arms["b"].GetProperty("requests").GetInt32());
        Assert.Equal((10, 1.0), (arms["a"].GetProperty("feedback_count").GetInt32(), arms["a"].GetProperty("feedback_mean").GetDouble()));
        Assert.Equal((10, 0.5), (arms["b"].GetProperty("feedback_count").GetInt32(), arms["b"].GetProperty("feedback_mean").GetDouble()));
        Assert.Equal(2L * Callers - (2L * toB) + (2L * toB), arms["a"].GetProperty("tokens_out").GetInt64() + arms["b"].GetProperty("tokens_out").GetInt64());

        var significance = result.GetProperty("significance");
        var success = significance.GetProperty("success");
        Assert.Equal(("two_proportion_z", 1.0, false), (success.GetProperty("test").GetString(), success.GetProperty("p_value").GetDouble(), success.GetProperty("significant").GetBoolean()));
        Assert.Equal("welch_t", significance.GetProperty("latency").GetProperty("test").GetString());
        // Feedback: ten 1s against ten 0.5s have no variance; a difference without spread is not testable, so no t-test.
        Assert.Contains(significance.GetProperty("verdict").GetString(), (string[])["a_better", "b_better", "no_significant_difference"]);

        var listed = await http.GetFromJsonAsync<JsonElement>("/ab-tests");
        Assert.Equal("model-comparison-1", listed[0].GetProperty("test_id").GetString());

        var stopped = await LifecycleHost.PostAsync(http, "/ab-tests/model-comparison-1/stop", "{}");
        Assert.Equal("stopped", stopped.GetProperty("status").GetString());
        for (var caller = 0; caller < 40; caller++)
        {
            Assert.Equal(Model, await LifecycleHost.AnsweredByAsync(http, Model, $"user-{caller}"));
        }

        Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>("/ab-tests")).GetArrayLength());
        Assert.Equal(1, (await http.GetFromJsonAsync<JsonElement>("/ab-tests?all=true")).GetArrayLength());
        await RegistryLifecycleTests.AssertProblemAsync(http, "/ab-tests/model-comparison-1/stop", "{}", 409, "not running");
    }

    [Fact]
    public async Task Bad_ab_tests_and_feedback_are_refused()
    {
        await using var api = _host.Start();
        using var http = await LifecycleHost.ReadyAsync(api);
        await RegistryLifecycleTests.AssertProblemAsync(http, "/ab-tests/start", $$"""{"test_id":"t","model_a":"{{Model}}","model_b":"nothing","traffic_split":0.5}""", 400, "nothing serves");
        await RegistryLifecycleTests.AssertProblemAsync(http, "/ab-tests/start", $$"""{"test_id":"t","model_a":"{{Model}}","model_b":"{{Model}}:1","traffic_split":1.5}""", 400, "traffic_split");
        await RegistryLifecycleTests.AssertProblemAsync(http, "/ab-tests/start", $$"""{"test_id":"t","model_a":"{{Model}}","model_b":"{{Model}}:1","traffic_split":0.5,"success_metrics":["vibes"]}""", 400, "vibes");
        await RegistryLifecycleTests.AssertProblemAsync(http, "/ab-tests/start", """{"model_a":"a","model_b":"b","traffic_split":0.5}""", 400, "test_id");
        await RegistryLifecycleTests.AssertProblemAsync(http, "/api/feedback", """{"request_id":"x"}""", 400, "score");
        await RegistryLifecycleTests.AssertProblemAsync(http, "/api/feedback", """{"score":1}""", 400, "request_id");
        using var missing = await http.GetAsync("/ab-tests/nothing");
        Assert.Equal(404, (int)missing.StatusCode);
        using var malformed = await http.PostAsync("/ab-tests/start", OpenAIClientTests.Json("{not json"));
        Assert.Equal(400, (int)malformed.StatusCode);
    }
}
