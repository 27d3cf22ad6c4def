using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// Api processes (in-process hosts) sharing one embedded metadata database, as replicas share PostgreSQL: each with
/// wordnet-chat-1m configured as "dictionary" and the routing table refreshed every 200 ms.
/// </summary>
public sealed class LifecycleHost : IDisposable
{
    public const string Model = "dictionary";

    private readonly string _directory = Directory.CreateTempSubdirectory("lifecycle-tests-").FullName;

    public string SqlitePath => Path.Combine(_directory, "metadata.db");

    /// <param name="serveModel">False leaves "dictionary" to <paramref name="configure"/> (to route it elsewhere).</param>
    public WebApplicationFactory<Program> Start(Action<IWebHostBuilder>? configure = null, bool serveModel = true) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Inference:ModelsDirectory", InferenceApiFixture.ModelsRoot);
            if (serveModel)
            {
                b.UseSetting($"Inference:Models:{Model}:Path", "wordnet-chat-1m");
            }

            b.UseSetting("Inference:Metadata:SqlitePath", SqlitePath);
            b.UseSetting("Inference:Metadata:Audit:SpillDirectory", Path.Combine(_directory, "spill"));
            b.UseSetting("Inference:Routing:RefreshInterval", "00:00:00.200");
            b.UseSetting("Inference:Cache:Enabled", "false");
            configure?.Invoke(b);
        });

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment; the temp folder is cleaned later.
        }
    }

    /// <summary>Waits until the host has recorded its configured models (its registry is ready for writes).</summary>
    public static async Task<HttpClient> ReadyAsync(WebApplicationFactory<Program> api)
    {
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Add("x-user-id", "operator");
        await Eventually.HoldsAsync(() => http.GetAsync($"/models/{Model}"), r => r.IsSuccessStatusCode);
        return http;
    }

    public static async Task<JsonElement> PostAsync(HttpClient http, string path, string body, int expected = 200)
    {
        using var response = await http.PostAsync(path, OpenAIClientTests.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The value of the one sample of <paramref name="name"/> in /metrics whose labels include all of <paramref name="labels"/>.</summary>
    public static async Task<double> MetricAsync(HttpClient http, string name, params string[] labels)
    {
        var line = (await http.GetStringAsync("/metrics")).Split('\n')
            .Single(l => l.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(label => l.Contains(label, StringComparison.Ordinal)));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>One chat call for <paramref name="model"/> as <paramref name="caller"/>: the model that answered (body and header).</summary>
    public static async Task<string> AnsweredByAsync(HttpClient http, string model, string caller, string? requestId = null) =>
        await TryAnsweredByAsync(http, model, caller, requestId, mustSucceed: true) ?? "";

    /// <summary>As <see cref="AnsweredByAsync"/>, but null when the call fails (for probes of what a replica has not seen yet).</summary>
    public static async Task<string?> TryAnsweredByAsync(HttpClient http, string model, string caller, string? requestId = null, bool mustSucceed = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = OpenAIClientTests.Json($$"""{"model":"{{model}}","temperature":0,"max_tokens":2,"messages":[{"role":"user","content":"dog"}]}"""),
        };
        request.Headers.Add("x-user-id", caller);
        if (requestId is not null)
        {
            request.Headers.Add("x-request-id", requestId);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!mustSucceed && !response.IsSuccessStatusCode)
        {
            return null;
        }

        Assert.True(response.IsSuccessStatusCode, body.ToString());
        var answered = body.GetProperty("model").GetString()!;
        Assert.Equal(answered, response.Headers.GetValues("x-inference-model").Single());
        return answered;
    }
}
