using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// Reranking by a cross-encoder (a sequence classifier with one output reading [CLS] query [SEP] document [SEP]),
/// checked against the logits PyTorch computes for the same weights and pairs (<see cref="SyntheticCrossEncoder"/>'s
/// reference.json): the scores, the order, TEI's raw and normalised scores, a long document refused or cut as asked,
/// and the model listed with the rerank task.
/// </summary>
public sealed class CrossEncoderRerankTests : IAsyncLifetime
{
    private const string Model = DistributedPlatform.CrossEncoder;
    private readonly string _directory = Directory.CreateTempSubdirectory("cross-encoder-").FullName;
    private WebApplicationFactory<Program> _api = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _api = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Inference:ModelsDirectory", InferenceApiFixture.ModelsRoot);
            b.UseSetting($"Inference:Models:{Model}:Path", SyntheticCrossEncoder.Folder);
            b.UseSetting("Inference:Metadata:SqlitePath", Path.Combine(_directory, "metadata.db"));
        });
        _http = _api.CreateClient();
        await Eventually.HoldsAsync(() => _http.GetAsync("/ready"), r => r.IsSuccessStatusCode);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Documents_are_scored_as_pytorch_scores_the_pairs_best_first()
    {
        await AssertReferenceScoresAsync(_http, Model);

        var models = (await _http.GetFromJsonAsync<JsonElement>("/v1/models")).GetProperty("data").EnumerateArray();
        var listed = models.Single(m => m.GetProperty("id").GetString() == Model);
        Assert.Equal(["text-classification", "rerank"], listed.GetProperty("capabilities").GetProperty("tasks").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Text_embeddings_inference_s_rerank_gives_the_logits_raw_or_their_sigmoid()
    {
        var reference = Reference();
        var documents = reference.GetProperty("documents").EnumerateArray().Select(d => d.GetString()!).ToList();
        var logits = reference.GetProperty("logits").EnumerateArray().Select(l => l.GetDouble()).ToList();

        var raw = await LifecycleHost.PostAsync(_http, "/rerank", JsonSerializer.Serialize(new { query = reference.GetProperty("query").GetString(), texts = documents, raw_scores = true }));
        Assert.All(raw.EnumerateArray(), r => Assert.Equal(logits[r.GetProperty("index").GetInt32()], r.GetProperty("score").GetDouble(), 3));
        var normalised = await LifecycleHost.PostAsync(_http, "/rerank", JsonSerializer.Serialize(new { model = Model, query = reference.GetProperty("query").GetString(), texts = documents }));
        Assert.All(normalised.EnumerateArray(), r => Assert.Equal(1 / (1 + Math.Exp(-logits[r.GetProperty("index").GetInt32()])), r.GetProperty("score").GetDouble(), 3));
    }

    [Fact]
    public async Task A_document_longer_than_the_model_reads_is_refused_or_cut_as_asked()
    {
        var reference = Reference();
        var query = reference.GetProperty("query").GetString();
        var document = reference.GetProperty("long_document").GetString();
        Assert.True(reference.GetProperty("truncated").EnumerateArray().Last().GetBoolean());

        using var refused = await _http.PostAsync("/v1/rerank", OpenAIClientTests.Json(JsonSerializer.Serialize(new { model = Model, query, documents = new[] { "short", document } })));
        var error = await BadInputTests.AssertError(refused, 400, "documents", "context_length_exceeded");
        Assert.Contains("truncate", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        var cut = await LifecycleHost.PostAsync(_http, "/v1/rerank", JsonSerializer.Serialize(new { model = Model, query, documents = new[] { "short", document }, truncate = true }));
        var result = cut.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("index").GetInt32() == 1);
        Assert.True(result.GetProperty("truncated").GetBoolean());
        Assert.Equal(1 / (1 + Math.Exp(-reference.GetProperty("logits").EnumerateArray().Last().GetDouble())), result.GetProperty("relevance_score").GetDouble(), 3);
        Assert.False(cut.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("index").GetInt32() == 0).TryGetProperty("truncated", out _));
    }

    /// <summary>
    /// /v1/rerank through <paramref name="http"/> scores the reference pairs as PyTorch did: relevance the sigmoid of
    /// each logit, best first, the tokens the pairs' own.
    /// </summary>
    internal static async Task AssertReferenceScoresAsync(HttpClient http, string model)
    {
        var reference = Reference();
        var documents = reference.GetProperty("documents").EnumerateArray().Select(d => d.GetString()!).ToList();
        var logits = reference.GetProperty("logits").EnumerateArray().Take(documents.Count).Select(l => l.GetDouble()).ToList();

        var answer = await LifecycleHost.PostAsync(http, "/v1/rerank", JsonSerializer.Serialize(new { model, query = reference.GetProperty("query").GetString(), documents }));

        var results = answer.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(logits.Select((l, i) => (l, i)).OrderByDescending(p => p.l).Select(p => p.i), results.Select(r => r.GetProperty("index").GetInt32()));
        Assert.All(results, r => Assert.Equal(1 / (1 + Math.Exp(-logits[r.GetProperty("index").GetInt32()])), r.GetProperty("relevance_score").GetDouble(), 3));
        Assert.Equal("cross-encoder", answer.GetProperty("meta").GetProperty("scoring").GetString());
        var tokens = reference.GetProperty("ids").EnumerateArray().Take(documents.Count).Sum(ids => ids.GetArrayLength());
        Assert.Equal(tokens, answer.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    private static JsonElement Reference() => JsonDocument.Parse(File.ReadAllText(Path.Combine(SyntheticCrossEncoder.Folder, "reference.json"))).RootElement;
}
