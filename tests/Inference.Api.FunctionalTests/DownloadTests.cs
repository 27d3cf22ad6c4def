using System.Net.Http.Json;
using System.Text.Json;
using OllamaSharp;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// Model downloads from a Hugging Face-style hub on loopback serving ../shared/models: verified, moved into place,
/// registered and served without a restart; an interrupted transfer resumes with a range; a corrupt file is refused;
/// Ollama's pull streams its progress.
/// </summary>
public sealed class DownloadTests : IAsyncLifetime, IDisposable
{
    private readonly LifecycleHost _host = new();
    private readonly string _downloads = Directory.CreateTempSubdirectory("downloads-").FullName;
    private HubServer _hub = null!;

    public async Task InitializeAsync() => _hub = await HubServer.StartAsync(InferenceApiFixture.ModelsRoot);

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    public void Dispose()
    {
        _host.Dispose();
        Directory.Delete(_downloads, recursive: true);
    }

    [Fact]
    public async Task A_hub_repository_is_downloaded_resumed_after_a_broken_transfer_verified_registered_and_served()
    {
        await using var api = Api();
        using var http = await LifecycleHost.ReadyAsync(api);
        const string Weights = "wordnet-chat-1m.F32.gguf";
        _hub.BreakOnce(Weights, bytes: 1_000_000);

        var started = await LifecycleHost.PostAsync(http, "/api/models/download", """{"repo":"shared/wordnet-chat-1m-gguf","revision":"main","name":"pulled"}""", 202);
        var id = started.GetProperty("id").GetString();
        var done = await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/models/download/{id}"), d => d.GetProperty("status").GetString() is "completed" or "failed");
        Assert.True(done.GetProperty("status").GetString() == "completed", done.ToString());
        var size = new FileInfo(Path.Combine(InferenceApiFixture.ModelsRoot, "wordnet-chat-1m-gguf", Weights)).Length;
        Assert.Equal(done.GetProperty("total_bytes").GetInt64(), done.GetProperty("downloaded_bytes").GetInt64());
        Assert.Equal(100, done.GetProperty("percent").GetDouble());
        Assert.Equal("main", done.GetProperty("version").GetString());

        // The broken transfer was resumed from where it stopped, not started over: the bytes that reached the client
        // before the connection dropped (at most what the hub sent; the abort can discard some in flight) were kept.
        var resumedFrom = Assert.Single(_hub.Requests, r => r.Path == Weights && r.Range is not null).Range!;
        Assert.StartsWith("bytes=", resumedFrom, StringComparison.Ordinal);
        Assert.InRange(long.Parse(resumedFrom["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture), 1, 1_000_000);
        Assert.Equal(File.ReadAllBytes(Path.Combine(InferenceApiFixture.ModelsRoot, "wordnet-chat-1m-gguf", Weights)), File.ReadAllBytes(Path.Combine(_downloads, "pulled", Weights)));
        Assert.Equal(size, new FileInfo(Path.Combine(_downloads, "pulled", Weights)).Length);
        Assert.False(Directory.Exists(Path.Combine(_downloads, ".downloads", "pulled")));

        // Registered and served at once: the GGUF answers as the reference does.
        Assert.Equal("pulled:main", await LifecycleHost.AnsweredByAsync(http, "pulled", "u"));
        var versions = await http.GetFromJsonAsync<JsonElement>("/models/pulled");
        Assert.Equal("main", versions.GetProperty("active_version").GetString());
    }

    [Fact]
    public async Task A_corrupt_file_is_refused_and_deleted_and_nothing_is_registered()
    {
        await using var api = Api();
        using var http = await LifecycleHost.ReadyAsync(api);
        _hub.Corrupt("onnx/model.onnx");
        var started = await LifecycleHost.PostAsync(http, "/api/models/download", """{"repo":"shared/m2v-bge-base-vocabq-64d","name":"bad"}""", 202);
        var id = started.GetProperty("id").GetString();
        var failed = await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/models/download/{id}"), d => d.GetProperty("status").GetString() is "completed" or "failed");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Contains("onnx/model.onnx is corrupt", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_downloads, "bad")));
        Assert.False(File.Exists(Path.Combine(_downloads, ".downloads", "bad", "onnx", "model.onnx.partial")));
        using var model = await http.GetAsync("/models/bad");
        Assert.Equal(404, (int)model.StatusCode);

        // The record survives in the database.
        var listed = await http.GetFromJsonAsync<JsonElement>("/api/models/download");
        Assert.Contains(listed.EnumerateArray(), d => d.GetProperty("id").GetString() == id && d.GetProperty("status").GetString() == "failed");
    }

    [Fact]
    public async Task Bad_downloads_are_refused_before_anything_is_fetched()
    {
        await using var api = Api();
        using var http = await LifecycleHost.ReadyAsync(api);
        await RegistryLifecycleTests.AssertProblemAsync(http, "/api/models/download", "{}", 400, "either repo");
        await RegistryLifecycleTests.AssertProblemAsync(http, "/api/models/download", """{"repo":"../etc"}""", 400, "org/name");
        await RegistryLifecycleTests.AssertProblemAsync(http, "/api/models/download", """{"url":"ftp://x/y.gguf","name":"x"}""", 400, "http");
        await RegistryLifecycleTests.AssertProblemAsync(http, "/api/models/download", """{"url":"http://127.0.0.1:9/y.gguf"}""", 400, "name is required");
        await RegistryLifecycleTests.AssertProblemAsync(http, "/api/models/download", """{"url":"http://127.0.0.1:9/y.gguf","name":"y","sha256":"abc"}""", 400, "sha256");

        var missing = await LifecycleHost.PostAsync(http, "/api/models/download", """{"repo":"shared/no-such-model"}""", 202);
        var failed = await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/models/download/{missing.GetProperty("id").GetString()}"), d => d.GetProperty("status").GetString() == "failed");
        Assert.Contains("no repository", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        using var unknown = await http.GetAsync("/api/models/download/nothing");
        Assert.Equal(404, (int)unknown.StatusCode);
    }

    [Fact]
    public async Task A_plain_url_with_its_digest_becomes_a_model()
    {
        await using var api = Api();
        using var http = await LifecycleHost.ReadyAsync(api);
        var file = Path.Combine(InferenceApiFixture.ModelsRoot, "wordnet-chat-1m-gguf", "wordnet-chat-1m.F32.gguf");
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)));
        var url = new Uri(_hub.Endpoint, "shared/wordnet-chat-1m-gguf/resolve/main/wordnet-chat-1m.F32.gguf");
        var started = await LifecycleHost.PostAsync(http, "/api/models/download", $$"""{"url":"{{url}}","name":"from-url","sha256":"{{sha}}"}""", 202);
        var done = await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/models/download/{started.GetProperty("id").GetString()}"), d => d.GetProperty("status").GetString() is "completed" or "failed");
        Assert.True(done.GetProperty("status").GetString() == "completed", done.ToString());
        Assert.Equal("from-url:1", await LifecycleHost.AnsweredByAsync(http, "from-url", "u"));
    }

    [Fact]
    public async Task Ollama_s_pull_streams_progress_and_the_model_then_answers_ollama_clients()
    {
        await using var api = Api();
        using var http = await LifecycleHost.ReadyAsync(api);
        var ollama = new OllamaApiClient(http);
        var statuses = new List<string>();
        await foreach (var progress in ollama.PullModelAsync($"hf.co/{HubServer.Organization}/wordnet-chat-1m-gguf:F32"))
        {
            statuses.Add(progress!.Status!);
        }

        Assert.Equal("pulling manifest", statuses[0]);
        Assert.Contains("pulling wordnet-chat-1m.F32.gguf", statuses);
        Assert.Equal("success", statuses[^1]);
        var answer = await Eventually.HoldsAsync(() => LifecycleHost.TryAnsweredByAsync(http, "wordnet-chat-1m-gguf", "u"), m => m is not null);
        Assert.Equal("wordnet-chat-1m-gguf:main", answer);
    }

    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Api() => _host.Start(b =>
    {
        b.UseSetting("Inference:Hub:Endpoint", _hub.Endpoint.ToString());
        b.UseSetting("Inference:Hub:DownloadDirectory", _downloads);
    });
}
