using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Inference.Api.FunctionalTests;

/// <summary>Deterministic responses are cached in a real Redis; a dead Redis degrades to no caching, never to errors.</summary>
public sealed class RedisCacheTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string Greedy = """{"model":"wordnet-chat-1m","temperature":0,"messages":[{"role":"user","content":"What does \"dog\" mean?"}]}""";
    private const string Sampled = """{"model":"wordnet-chat-1m","temperature":0.7,"max_tokens":10,"messages":[{"role":"user","content":"What does \"cat\" mean?"}]}""";

    [Fact]
    public async Task Only_deterministic_requests_are_cached_and_a_dead_redis_is_bypassed_then_used_again()
    {
        await using var api = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Inference:ModelsDirectory", InferenceApiFixture.ModelsRoot);
            b.UseSetting("Inference:Models:wordnet-chat-1m:Path", "wordnet-chat-1m");
            b.UseSetting("ConnectionStrings:cache", redis.ConnectionString);
            b.UseSetting("Inference:Cache:RetryAfter", "00:00:01");
        });
        using var http = api.CreateClient();
        await redis.CommandAsync("FLUSHALL");

        var first = await ContentAsync(http, Greedy);
        Assert.Equal(1, await redis.KeyCountAsync());
        var ttl = long.Parse((await redis.CommandAsync("TTL " + await redis.CommandAsync("RANDOMKEY")))[1..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ttl, 1, 600);
        Assert.Equal(first, await ContentAsync(http, Greedy));
        Assert.Equal(1, await redis.KeyCountAsync());

        await ContentAsync(http, Sampled);
        Assert.Equal(1, await redis.KeyCountAsync());

        await redis.StopAsync();
        Assert.Equal(first, await ContentAsync(http, Greedy));
        Assert.Equal(first, await ContentAsync(http, Greedy));
        Assert.Contains("Degraded", await http.GetStringAsync("/health"), StringComparison.Ordinal);

        await redis.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await redis.KeyCountAsync() == 0 && DateTime.UtcNow < deadline)
        {
            Assert.Equal(first, await ContentAsync(http, Greedy));
            await Task.Delay(500);
        }

        Assert.Equal(1, await redis.KeyCountAsync());

        // The cache is healthy again; the metadata database (migrated in the background, shared with other test hosts)
        // may still be finishing its start, so /health is given the time it needs to say so.
        Assert.Equal("Healthy", await Eventually.HoldsAsync(() => http.GetStringAsync("/health"), text => text == "Healthy"));
    }

    [Fact]
    public async Task Embeddings_are_cached_per_input_and_model()
    {
        await using var api = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Inference:ModelsDirectory", InferenceApiFixture.ModelsRoot);
            b.UseSetting("Inference:Models:m2v-bge-base-vocabq-64d:Path", "m2v-bge-base-vocabq-64d");
            b.UseSetting("ConnectionStrings:cache", redis.ConnectionString);
        });
        using var http = api.CreateClient();
        await redis.CommandAsync("FLUSHALL");
        const string body = """{"model":"m2v-bge-base-vocabq-64d","input":["A man is playing a guitar.","Someone plays an instrument."]}""";
        var first = await http.PostAsync("/v1/embeddings", OpenAIClientTests.Json(body));
        var firstText = await first.Content.ReadAsStringAsync();
        Assert.Equal(2, await redis.KeyCountAsync());
        var second = await http.PostAsync("/v1/embeddings", OpenAIClientTests.Json(body));
        var secondJson = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(JsonDocument.Parse(firstText).RootElement.GetProperty("data").GetRawText(), secondJson.GetProperty("data").GetRawText());
        Assert.Equal(2, await redis.KeyCountAsync());

        // Usage stays exact when the vectors come from the cache, alone or mixed with a new input.
        var tokens = JsonDocument.Parse(firstText).RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        Assert.True(tokens > 2);
        Assert.Equal(tokens, secondJson.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        var single = JsonDocument.Parse(await (await http.PostAsync("/v1/embeddings", OpenAIClientTests.Json(
            """{"model":"m2v-bge-base-vocabq-64d","input":"Someone plays an instrument."}"""))).Content.ReadAsStringAsync()).RootElement;
        var mixed = JsonDocument.Parse(await (await http.PostAsync("/v1/embeddings", OpenAIClientTests.Json(
            """{"model":"m2v-bge-base-vocabq-64d","input":["A man is playing a guitar.","A new sentence."]}"""))).Content.ReadAsStringAsync()).RootElement;
        var newOnly = JsonDocument.Parse(await (await http.PostAsync("/v1/embeddings", OpenAIClientTests.Json(
            """{"model":"m2v-bge-base-vocabq-64d","input":"A new sentence."}"""))).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(
            tokens - single.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() + newOnly.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(),
            mixed.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    private static async Task<string> ContentAsync(HttpClient http, string body)
    {
        using var response = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }
}
