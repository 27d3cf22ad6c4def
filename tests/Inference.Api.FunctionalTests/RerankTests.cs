using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// Reranking by an embedding model, checked against cosine similarities computed here from the model's own vectors
/// (<c>/v1/embeddings</c>): the order, the scores, <c>top_n</c>, both shapes, and the errors.
/// </summary>
public sealed class RerankTests(InferenceApiFixture api) : IClassFixture<InferenceApiFixture>
{
    private const string Query = "a dog barking at night";
    private static readonly string[] Documents = ["the stock market fell", "a puppy yapping loudly", "tree bark is rough", "cats sleep all day"];

    [Fact]
    public async Task Documents_come_best_first_with_the_cosine_of_the_models_own_embeddings()
    {
        using var http = api.CreateClient();
        var expected = await CosinesAsync(http, InferenceApiFixture.Embedding);

        var answer = await LifecycleHost.PostAsync(http, "/v1/rerank", JsonSerializer.Serialize(new
        {
            model = InferenceApiFixture.Embedding, query = Query, documents = new object[] { Documents[0], new { text = Documents[1] }, Documents[2], Documents[3] },
        }));

        var results = answer.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(expected.Select((s, i) => (s, i)).OrderByDescending(p => p.s).Select(p => p.i), results.Select(r => r.GetProperty("index").GetInt32()));
        foreach (var result in results)
        {
            var index = result.GetProperty("index").GetInt32();
            Assert.Equal(expected[index], result.GetProperty("relevance_score").GetDouble(), 4);
            Assert.Equal(Documents[index], result.GetProperty("document").GetProperty("text").GetString());
        }

        Assert.Equal(("embedding-cosine", InferenceApiFixture.Embedding), (answer.GetProperty("meta").GetProperty("scoring").GetString(), answer.GetProperty("model").GetString()));
        Assert.True(answer.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);

        var top = await LifecycleHost.PostAsync(http, "/v1/rerank", JsonSerializer.Serialize(new { model = InferenceApiFixture.Embedding, query = Query, documents = Documents, top_n = 2, return_documents = false }));
        var best = top.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(results.Take(2).Select(r => r.GetProperty("index").GetInt32()), best.Select(r => r.GetProperty("index").GetInt32()));
        Assert.All(best, r => Assert.False(r.TryGetProperty("document", out _)));
    }

    [Fact]
    public async Task Text_embeddings_inference_s_rerank_answers_in_its_shape()
    {
        using var http = api.CreateClient();
        var expected = await CosinesAsync(http, InferenceApiFixture.Embedding);

        using var response = await http.PostAsync("/rerank", OpenAIClientTests.Json(JsonSerializer.Serialize(new { model = InferenceApiFixture.Embedding, query = Query, texts = Documents, raw_scores = true, return_text = true })));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ranked = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();

        Assert.Equal(expected.Select((s, i) => (s, i)).OrderByDescending(p => p.s).Select(p => p.i), ranked.Select(r => r.GetProperty("index").GetInt32()));
        Assert.All(ranked, r => Assert.Equal(expected[r.GetProperty("index").GetInt32()], r.GetProperty("score").GetDouble(), 4));
        Assert.All(ranked, r => Assert.Equal(Documents[r.GetProperty("index").GetInt32()], r.GetProperty("text").GetString()));

        using var invalid = await http.PostAsync("/rerank", OpenAIClientTests.Json("""{"query":"q","texts":[]}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.True((await invalid.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("error_type", out _));
    }

    [Fact]
    public async Task Bad_requests_are_openai_errors()
    {
        using var http = api.CreateClient();
        await BadInputTests.AssertError(await http.PostAsync("/v1/rerank", OpenAIClientTests.Json($$"""{"model":"{{InferenceApiFixture.Embedding}}","query":"q","documents":[]}""")), 400, "documents", null);
        await BadInputTests.AssertError(await http.PostAsync("/v1/rerank", OpenAIClientTests.Json($$"""{"model":"{{InferenceApiFixture.Embedding}}","query":"","documents":["a"]}""")), 400, "query", null);
        await BadInputTests.AssertError(await http.PostAsync("/v1/rerank", OpenAIClientTests.Json($$"""{"model":"{{InferenceApiFixture.Embedding}}","query":"q","documents":["a"],"top_n":0}""")), 400, "top_n", null);
        await BadInputTests.AssertError(await http.PostAsync("/v1/rerank", OpenAIClientTests.Json("""{"model":"no-such-model","query":"q","documents":["a"]}""")), 404, "model", "model_not_found");
        await BadInputTests.AssertError(await http.PostAsync("/v1/rerank", OpenAIClientTests.Json($$"""{"model":"{{InferenceApiFixture.Chat}}","query":"q","documents":["a"]}""")), 400, "model", "model_not_supported");
    }

    [Fact]
    public async Task A_document_longer_than_the_embedding_model_reads_is_refused_or_cut_as_asked()
    {
        using var http = api.CreateClient();
        var document = string.Join(' ', Enumerable.Repeat("the quick brown fox jumps over the lazy dog", 120));
        var body = new { model = InferenceApiFixture.Embedding, query = Query, documents = new[] { Documents[0], document } };

        using var refused = await http.PostAsync("/v1/rerank", OpenAIClientTests.Json(JsonSerializer.Serialize(body)));
        await BadInputTests.AssertError(refused, 400, "documents", "context_length_exceeded");

        var cut = await LifecycleHost.PostAsync(http, "/v1/rerank", JsonSerializer.Serialize(new { body.model, body.query, body.documents, truncate = true }));
        var results = cut.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("index").GetInt32());
        Assert.True(results[1].GetProperty("truncated").GetBoolean());
        Assert.False(results[0].TryGetProperty("truncated", out _));

        // The embeddings route still embeds the beginning of a long input, as embedding services do.
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/embeddings", OpenAIClientTests.Json(JsonSerializer.Serialize(new { model = InferenceApiFixture.Embedding, input = document })))).StatusCode);
    }

    /// <summary>The cosine of the query's and each document's embedding, from the model's /v1/embeddings.</summary>
    internal static async Task<double[]> CosinesAsync(HttpClient http, string model)
    {
        var answer = await LifecycleHost.PostAsync(http, "/v1/embeddings", JsonSerializer.Serialize(new { model, input = new[] { Query }.Concat(Documents) }));
        var vectors = answer.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("embedding").EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToList();
        static double Cosine(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum() / (Math.Sqrt(a.Sum(x => x * x)) * Math.Sqrt(b.Sum(x => x * x)));
        return [.. vectors.Skip(1).Select(v => Cosine(vectors[0], v))];
    }
}
