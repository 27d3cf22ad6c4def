using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Inference.Api.FunctionalTests;

/// <summary>Seed 002's /infer and /infer/batch: the same answers as the OpenAI routes give, seed 002's response shape, errors.</summary>
public sealed class InferApiTests(InferenceApiFixture fixture) : IClassFixture<InferenceApiFixture>
{
    private const string Chat = InferenceApiFixture.Chat;
    private const string Embedding = InferenceApiFixture.Embedding;

    [Fact]
    public async Task A_chat_model_s_answer_is_the_one_chat_completions_gives_with_seed_002_s_fields()
    {
        using var http = fixture.CreateClient();
        using var response = await http.PostAsync("/infer", OpenAIClientTests.Json($$$"""{"text":"cat","model":"{{{Chat}}}","parameters":{"temperature":0,"max_length":6}}"""));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal(await ChatAsync(http, "cat", maxTokens: 6), body.GetProperty("result").GetString());
        Assert.StartsWith(Chat, body.GetProperty("model_used").GetString(), StringComparison.Ordinal);
        Assert.True(body.GetProperty("latency_ms").GetDouble() > 0);
        Assert.Equal(response.Headers.GetValues("x-request-id").Single(), body.GetProperty("request_id").GetString());
        Assert.Equal("chat", body.GetProperty("metadata").GetProperty("model_type").GetString());
        Assert.True(body.GetProperty("timestamp").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task An_embedding_model_s_result_is_its_vector()
    {
        using var http = fixture.CreateClient();
        var body = await PostAsync(http, "/infer", $$"""{"text":"a small dog","model":"{{Embedding}}"}""");
        var vector = body.GetProperty("result").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var expected = await (await http.PostAsJsonAsync("/v1/embeddings", new { model = Embedding, input = "a small dog" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(expected.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray(), vector);
        Assert.Equal("embedding", body.GetProperty("metadata").GetProperty("model_type").GetString());
    }

    [Theory]
    [InlineData("""{"model":"wordnet-chat-1m"}""", 400, "text is required")]
    [InlineData("""{"text":"cat","model":"nowhere"}""", 404, "'nowhere' does not exist")]
    [InlineData("""{"text":"cat","model":"wordnet-chat-1m","version":"99"}""", 404, "'wordnet-chat-1m:99' does not exist")]
    [InlineData("""{"text":"cat","model":"wordnet-chat-1m","parameters":{"temperature":-1}}""", 400, "temperature")]
    [InlineData("""{"text":"cat",""", 400, null)]
    public async Task Bad_requests_are_problem_details(string body, int status, string? detail)
    {
        using var http = fixture.CreateClient();
        using var response = await http.PostAsync("/infer", OpenAIClientTests.Json(body));
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (detail is not null)
        {
            Assert.Contains(detail, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_batch_runs_its_items_in_parallel_answers_in_order_and_fails_items_on_their_own()
    {
        using var http = fixture.CreateClient();
        var body = await PostAsync(http, "/infer/batch", $$$"""
            {"requests":[
              {"text":"cat","model":"{{{Chat}}}","parameters":{"temperature":0,"max_length":6}},
              {"text":"a small dog","model":"{{{Embedding}}}"},
              {"text":"cat","model":"nowhere"},
              {"text":"dog","model":"{{{Chat}}}","parameters":{"temperature":0,"max_length":6}}
            ]}
            """);
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([true, true, false, true], results.Select(r => r.GetProperty("success").GetBoolean()));
        Assert.Equal((3, 1), (body.GetProperty("succeeded").GetInt32(), body.GetProperty("failed").GetInt32()));
        Assert.Equal(await ChatAsync(http, "cat", maxTokens: 6), results[0].GetProperty("result").GetString());
        Assert.Equal(await ChatAsync(http, "dog", maxTokens: 6), results[3].GetProperty("result").GetString());
        Assert.Equal(64, results[1].GetProperty("result").GetArrayLength());
        Assert.Equal(404, results[2].GetProperty("status").GetInt32());
        Assert.Contains("'nowhere' does not exist", results[2].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, results.Select(r => r.GetProperty("request_id").GetString()).Distinct().Count());

        using var empty = await http.PostAsync("/infer/batch", OpenAIClientTests.Json("""{"requests":[]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var tooMany = JsonSerializer.Serialize(new { requests = Enumerable.Repeat(new { text = "x" }, 257) });
        using var large = await http.PostAsync("/infer/batch", OpenAIClientTests.Json(tooMany));
        Assert.Equal(HttpStatusCode.BadRequest, large.StatusCode);
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, string body)
    {
        using var response = await http.PostAsync(path, OpenAIClientTests.Json(body));
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json;
    }

    private static async Task<string> ChatAsync(HttpClient http, string text, int maxTokens)
    {
        using var response = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json(
            $$"""{"model":"{{Chat}}","temperature":0,"max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"{{text}}"}]}"""));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }
}
