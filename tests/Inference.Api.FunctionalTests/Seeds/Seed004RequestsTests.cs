using System.Text.Json;
using static Inference.Api.FunctionalTests.Seeds.SeedApiFixture;

namespace Inference.Api.FunctionalTests.Seeds;

/// <summary>
/// Seed 004's documented HTTP requests, as its README writes them (its embedding model names replaced by ours; a
/// grammar it elides with "..." written out): completions without a model, with parameters and a stored grammar, in
/// raw mode; grammar management; embeddings; /healthz; the monitor's services, one by a model's name.
/// </summary>
public sealed class Seed004RequestsTests(SeedApiFixture fixture) : IClassFixture<SeedApiFixture>
{
    [Fact]
    public async Task Completions_answer_without_a_model_with_parameters_a_grammar_and_raw()
    {
        using var http = await fixture.ReadyClientAsync();

        // Basic inference: no model named, so the default chat model (one with a chat template) answers.
        var basic = await PostAsync(http, "/v1/completions", """
            {
              "input": "Explain machine learning",
              "params": {
                "temperature": 0.7
              }
            }
            """);
        AssertCompletion(basic);
        Assert.StartsWith(Chat + ":", basic.GetProperty("model").GetString(), StringComparison.Ordinal);

        // With parameters: a stored grammar named "code", and more tokens than the model's context holds (a limit, as
        // llama.cpp's n_predict: the answer stops where the context ends).
        await PostAsync(http, "/grammars", """{"name":"code","description":"A line of code","content":"root ::= [a-z]{1,12} \"(\" [a-z]{0,8} \")\""}""", 201);
        var coded = await PostAsync(http, "/v1/completions", """
            {
              "input": "Write a function to sort an array",
              "params": {
                "max_tokens": 500,
                "temperature": 0.3,
                "grammar": "code"
              }
            }
            """);
        AssertCompletion(coded);
        Assert.Matches("^[a-z]+\\([a-z]*\\)$", coded.GetProperty("text").GetString());

        // Raw mode: no template; the seed's raw answer names the time "ms".
        var raw = await PostAsync(http, "/v1/completions", """
            {
              "input": "Hello",
              "params": {"max_tokens": 20},
              "raw": true
            }
            """);
        AssertCompletion(raw);
        HasFields(raw, "ms");
        Assert.InRange(raw.GetProperty("tokens_out").GetInt32(), 1, 20);
    }

    [Fact]
    public async Task Grammars_are_created_listed_and_used()
    {
        using var http = await fixture.ReadyClientAsync();
        await PostAsync(http, "/grammars", """
            {
              "name": "json-schema",
              "description": "JSON object validator",
              "content": "root ::= object\nobject ::= \"{\" ws \"}\"\nws ::= [ ]?"
            }
            """, 201);
        var listed = await GetAsync(http, "/grammars");
        Assert.Contains((listed.ValueKind == JsonValueKind.Array ? listed : listed.GetProperty("grammars")).EnumerateArray(), g => g.GetProperty("name").GetString() == "json-schema");

        var used = await PostAsync(http, "/v1/completions", """
            {
              "input": "Generate a JSON user profile",
              "params": {
                "grammar": "json-schema",
                "temperature": 0.1
              }
            }
            """);
        Assert.Matches("^\\{ ?\\}$", used.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Embeddings_health_and_the_monitor_answer_as_documented()
    {
        using var http = await fixture.ReadyClientAsync();
        var one = await PostAsync(http, "/v1/embeddings", $$"""
            {
              "input": "search_query: machine learning",
              "model": "{{Embedding}}"
            }
            """);
        AssertEmbeddings(one, 1);
        var three = await PostAsync(http, "/v1/embeddings", $$"""
            {
              "input": ["Hello world", "Machine learning", "Artificial intelligence"],
              "model": "{{Embedding}}"
            }
            """);
        AssertEmbeddings(three, 3);

        using (var health = await http.GetAsync("/healthz"))
        {
            Assert.True(health.IsSuccessStatusCode);
            Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        }

        var services = await GetAsync(http, "/api/services");
        Assert.NotEmpty(services.GetProperty("services").EnumerateArray());

        // "Query specific service": each of the seed's services is a model's worker, asked for by the model's name.
        var model = await GetAsync(http, $"/api/services/{Gguf}");
        HasFields(model, "model_name", "status", "capabilities", "model_info", "queue_metrics", "backpressure_status", "first_seen", "uptime");
        Assert.Equal((Gguf, "online"), (model.GetProperty("model_name").GetString(), model.GetProperty("status").GetString()));
        HasFields(model.GetProperty("model_info"), "architecture", "parameter_count");
        HasFields(model.GetProperty("queue_metrics"), "pending_messages", "active_processing", "queue_capacity");
        HasFields(model.GetProperty("backpressure_status"), "level", "utilization");
        Assert.True(model.GetProperty("uptime").GetInt64() > 0);
        await GetAsync(http, "/api/services/no-such-model", 404);
    }

    /// <summary>Seed 004's answer: text, tokens_in, tokens_out, finish_reason, duration_ms, and the request id.</summary>
    private static void AssertCompletion(JsonElement completion)
    {
        HasFields(completion, "text", "tokens_in", "tokens_out", "finish_reason", "duration_ms", "req_id");
        Assert.True(completion.GetProperty("tokens_in").GetInt32() > 0);
        Assert.True(completion.GetProperty("tokens_out").GetInt32() > 0);
        Assert.Contains(completion.GetProperty("finish_reason").GetString(), new[] { "stop", "length" });
    }

    private static void AssertEmbeddings(JsonElement list, int count)
    {
        Assert.Equal("list", list.GetProperty("object").GetString());
        Assert.Equal(Embedding, list.GetProperty("model").GetString());
        var data = list.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, count), data.Select(d => d.GetProperty("index").GetInt32()));
        Assert.All(data, d => Assert.Equal(("embedding", 64), (d.GetProperty("object").GetString(), d.GetProperty("embedding").GetArrayLength())));
        HasFields(list.GetProperty("usage"), "prompt_tokens", "total_tokens");
    }
}
