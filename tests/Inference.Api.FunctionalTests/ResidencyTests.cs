using System.Net.Http.Json;
using System.Text.Json;
using Inference.Serving.Local;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// Loading and unloading local models: on first use, after keep_alive (the model's and the request's, Ollama's
/// semantics), by an empty Ollama request, and under a memory budget (least recently used first, never while a request
/// holds the model); Ollama's /api/ps shows what is loaded.
/// </summary>
public sealed class ResidencyTests : IDisposable
{
    private readonly LifecycleHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_first_use_model_loads_on_its_first_request_and_unloads_after_its_keep_alive()
    {
        await using var api = _host.Start(b =>
        {
            b.UseSetting("Inference:Models:lazy:Path", "wordnet-chat-1m");
            b.UseSetting("Inference:Models:lazy:Load", "first-use");
            b.UseSetting("Inference:Models:lazy:KeepAlive", "1s");
        });
        using var http = await LifecycleHost.ReadyAsync(api);
        Assert.DoesNotContain("lazy", await LoadedAsync(http));
        Assert.Contains(LifecycleHost.Model, await LoadedAsync(http)); // loaded at start, kept for ever

        var first = await AnswerAsync(http, "lazy");
        var ps = await http.GetFromJsonAsync<JsonElement>("/api/ps");
        var lazy = ps.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "lazy");
        Assert.Equal(new FileInfo(Path.Combine(InferenceApiFixture.ModelsRoot, "wordnet-chat-1m", "onnx", "model.onnx")).Length, lazy.GetProperty("size").GetInt64());
        Assert.InRange(lazy.GetProperty("expires_at").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));

        Assert.Equal(1, await LifecycleHost.MetricAsync(http, "ml_inference_model_loaded", "model=\"lazy\""));

        // After a second without requests it is out of memory; the next request loads it again and answers the same.
        await Eventually.HoldsAsync(() => LoadedAsync(http), loaded => !loaded.Contains("lazy"));
        Assert.Equal(0, await LifecycleHost.MetricAsync(http, "ml_inference_model_loaded", "model=\"lazy\""));
        Assert.Equal(first, await AnswerAsync(http, "lazy"));
        var models = await http.GetFromJsonAsync<JsonElement>("/v1/models");
        var entry = models.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "lazy");
        Assert.Equal(984_192, entry.GetProperty("capabilities").GetProperty("parameter_count").GetInt64()); // known once loaded
    }

    [Fact]
    public async Task Ollama_s_keep_alive_and_empty_requests_load_and_unload_a_model()
    {
        await using var api = _host.Start();
        using var http = await LifecycleHost.ReadyAsync(api);
        const string Model = LifecycleHost.Model;

        var unload = await LifecycleHost.PostAsync(http, "/api/generate", $$"""{"model":"{{Model}}","keep_alive":0}""");
        Assert.Equal(("unload", true), (unload.GetProperty("done_reason").GetString(), unload.GetProperty("done").GetBoolean()));
        Assert.DoesNotContain(Model, await LoadedAsync(http));

        var load = await LifecycleHost.PostAsync(http, "/api/chat", $$"""{"model":"{{Model}}","messages":[],"keep_alive":"10m"}""");
        Assert.Equal("load", load.GetProperty("done_reason").GetString());
        var entry = (await http.GetFromJsonAsync<JsonElement>("/api/ps")).GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == Model);
        Assert.InRange(entry.GetProperty("expires_at").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(9), DateTimeOffset.UtcNow.AddMinutes(11));

        // A request with keep_alive 0 is answered, then the model leaves memory.
        var answered = await LifecycleHost.PostAsync(http, "/api/generate", $$$"""{"model":"{{{Model}}}","prompt":"dog","stream":false,"keep_alive":0,"options":{"num_predict":3}}""");
        Assert.True(answered.GetProperty("response").GetString()!.Length > 0);
        Assert.DoesNotContain(Model, await LoadedAsync(http));

        using var bad = await http.PostAsync("/api/generate", OpenAIClientTests.Json($$"""{"model":"{{Model}}","prompt":"dog","keep_alive":"soon"}"""));
        Assert.Equal(400, (int)bad.StatusCode);
    }

    [Fact]
    public async Task A_memory_budget_unloads_the_least_recently_used_idle_model_and_never_one_in_use()
    {
        var onnx = new FileInfo(Path.Combine(InferenceApiFixture.ModelsRoot, "wordnet-chat-1m", "onnx", "model.onnx")).Length;
        var gguf = new FileInfo(Path.Combine(InferenceApiFixture.ModelsRoot, "wordnet-chat-1m-gguf", "wordnet-chat-1m.F32.gguf")).Length;
        await using var api = _host.Start(b =>
        {
            b.UseSetting("Inference:Models:gguf:Path", "wordnet-chat-1m-gguf/wordnet-chat-1m.F32.gguf");
            b.UseSetting("Inference:Models:gguf:Load", "first-use");
            b.UseSetting("Inference:Residency:MemoryBudgetBytes", (Math.Max(onnx, gguf) + 1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("Inference:Residency:MaxWaitForRoom", "00:00:00.500");
        });
        using var http = await LifecycleHost.ReadyAsync(api);
        const string Onnx = LifecycleHost.Model;

        // The gguf model needs the room the onnx one holds: the idle onnx model goes.
        await AnswerAsync(http, "gguf");
        Assert.Equal(["gguf"], await LoadedAsync(http));

        // While a request holds the gguf model (a lease, as a running request holds it), the onnx model cannot load:
        // after waiting for room it is refused with a 429, and the running request's model stays.
        var residency = api.Services.GetRequiredService<ModelResidency>();
        var held = residency.Find("gguf")!;
        await held.AcquireAsync(CancellationToken.None);
        try
        {
            using var refused = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json($$"""{"model":"{{Onnx}}","messages":[{"role":"user","content":"dog"}]}"""));
            await BadInputTests.AssertError(refused, 429, null, "rate_limit_exceeded");
            Assert.Equal(["gguf"], await LoadedAsync(http));
        }
        finally
        {
            held.Release(null, DateTimeOffset.UtcNow);
        }

        await AnswerAsync(http, Onnx);
        Assert.Equal([Onnx], await LoadedAsync(http));
    }

    private static async Task<List<string>> LoadedAsync(HttpClient http)
    {
        var ps = await http.GetFromJsonAsync<JsonElement>("/api/ps");
        return [.. ps.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()!).Order(StringComparer.Ordinal)];
    }

    private static async Task<string> AnswerAsync(HttpClient http, string model)
    {
        var body = await LifecycleHost.PostAsync(http, "/v1/chat/completions", $$"""{"model":"{{model}}","temperature":0,"max_tokens":6,"messages":[{"role":"user","content":"What does \"dog\" mean?"}]}""");
        return body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }
}
