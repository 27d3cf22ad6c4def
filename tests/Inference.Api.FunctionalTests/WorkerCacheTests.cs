using System.Net.Http.Json;
using System.Text.Json;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// A Worker behind a gateway does not cache answers again unless configured to: two identical deterministic requests
/// both run the model, where a Worker told to cache runs it once.
/// </summary>
public sealed class WorkerCacheTests
{
    private const string Model = "wordnet-chat-1m";

    [Theory]
    [InlineData(null, 2)]
    [InlineData("true", 1)]
    public async Task A_worker_caches_only_when_configured_to(string? enabled, int runs)
    {
        var environment = new Dictionary<string, string>
        {
            ["Inference__ModelsDirectory"] = InferenceApiFixture.ModelsRoot,
            [$"Inference__Models__{Model}__Path"] = Model,
        };
        if (enabled is not null)
        {
            environment["Inference__Cache__Enabled"] = enabled;
        }

        await using var worker = await ServiceProcess.StartAsync("Inference.Worker", environment);
        using var http = new HttpClient { BaseAddress = worker.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
        var before = await RequestsAsync(http);
        for (var i = 0; i < 2; i++)
        {
            using var response = await http.PostAsJsonAsync("/v1/chat/completions", new
            {
                model = Model,
                temperature = 0,
                max_tokens = 4,
                messages = new[] { new { role = "user", content = "What does \"dog\" mean?" } },
            });
            response.EnsureSuccessStatusCode();
        }

        Assert.Equal(runs, await RequestsAsync(http) - before);
    }

    /// <summary>The requests the model has run, as the Worker's /v1/models counts them.</summary>
    private static async Task<long> RequestsAsync(HttpClient http)
    {
        var models = await http.GetFromJsonAsync<JsonElement>("/v1/models");
        return models.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == Model).GetProperty("requests_total").GetInt64();
    }
}
