using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;
using OpenAI.Chat;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// A deterministic streamed answer served from the response cache (in memory and in Redis) streams as it was first
/// produced: the OpenAI SDK, MEAI and OllamaSharp see the same pieces in the same order, with the same finish reason and
/// usage, and the model is not asked again.
/// </summary>
public sealed class CachedStreamTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string Chat = InferenceApiFixture.Chat;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_cached_stream_replays_the_original_pieces_to_every_client(bool inRedis)
    {
        await using var api = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Inference:ModelsDirectory", InferenceApiFixture.ModelsRoot);
            b.UseSetting($"Inference:Models:{Chat}:Path", Chat);
            if (inRedis)
            {
                b.UseSetting("ConnectionStrings:cache", redis.ConnectionString);
            }
        });
        if (inRedis)
        {
            await redis.CommandAsync("FLUSHALL");
        }

        using var http = api.CreateClient();

        // The OpenAI SDK, with usage in the stream.
        var openai = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions
        {
            Endpoint = new Uri(api.Server.BaseAddress, "/v1"),
            Transport = new HttpClientPipelineTransport(api.CreateClient()),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        }).GetChatClient(Chat);
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 24 };
        var first = await ReadAsync(openai.CompleteChatStreamingAsync([new UserChatMessage("What does \"oak\" mean?")], options));
        var before = await RequestsAsync(http);
        var second = await ReadAsync(openai.CompleteChatStreamingAsync([new UserChatMessage("What does \"oak\" mean?")], options));
        Assert.Equal(before, await RequestsAsync(http));
        Assert.True(first.Pieces.Count > 3, $"{first.Pieces.Count} pieces");
        Assert.Equal(first.Pieces, second.Pieces);
        Assert.Equal(first.Finish, second.Finish);
        Assert.Equal((first.Input, first.Output), (second.Input, second.Output));
        Assert.True(second.Output > 0);
        if (inRedis)
        {
            Assert.True(await redis.KeyCountAsync() >= 1);
        }

        // MEAI over the OpenAI client.
        IChatClient meai = openai.AsIChatClient();
        var meaiOptions = new ChatOptions { Temperature = 0, MaxOutputTokens = 20 };
        var fresh = await meai.GetStreamingResponseAsync("What does \"pine\" mean?", meaiOptions).ToListAsync();
        var cached = await meai.GetStreamingResponseAsync("What does \"pine\" mean?", meaiOptions).ToListAsync();
        Assert.True(fresh.Count(u => u.Text.Length > 0) > 3);
        Assert.Equal(fresh.Select(u => u.Text), cached.Select(u => u.Text));
        Assert.Equal(fresh.Select(u => u.FinishReason), cached.Select(u => u.FinishReason));

        // OllamaSharp over the Ollama API: the same chunks, the last one done with its counts.
        IChatClient ollama = new OllamaApiClient(api.CreateClient(), Chat);
        var ollamaOptions = new ChatOptions { Temperature = 0, MaxOutputTokens = 20 };
        var ollamaFresh = await ollama.GetStreamingResponseAsync("What does \"elm\" mean?", ollamaOptions).ToListAsync();
        before = await RequestsAsync(http);
        var ollamaCached = await ollama.GetStreamingResponseAsync("What does \"elm\" mean?", ollamaOptions).ToListAsync();
        Assert.Equal(before, await RequestsAsync(http));
        Assert.True(ollamaFresh.Count(u => u.Text.Length > 0) > 3);
        Assert.Equal(ollamaFresh.Select(u => u.Text), ollamaCached.Select(u => u.Text));
        Assert.Equal(ollamaFresh.Last().FinishReason, ollamaCached.Last().FinishReason);
        Assert.Equal(Usage(ollamaFresh), Usage(ollamaCached));
    }

    private static (long?, long?) Usage(IEnumerable<ChatResponseUpdate> updates)
    {
        var usage = updates.SelectMany(u => u.Contents).OfType<UsageContent>().LastOrDefault()?.Details;
        return (usage?.InputTokenCount, usage?.OutputTokenCount);
    }

    private static async Task<(List<string> Pieces, OpenAI.Chat.ChatFinishReason? Finish, int Input, int Output)> ReadAsync(AsyncCollectionResult<StreamingChatCompletionUpdate> stream)
    {
        List<string> pieces = [];
        OpenAI.Chat.ChatFinishReason? finish = null;
        var (input, output) = (0, 0);
        await foreach (var update in stream)
        {
            pieces.AddRange(update.ContentUpdate.Select(c => c.Text).Where(t => t.Length > 0));
            finish ??= update.FinishReason;
            if (update.Usage is { } usage)
            {
                (input, output) = (usage.InputTokenCount, usage.OutputTokenCount);
            }
        }

        return (pieces, finish, input, output);
    }

    /// <summary>Requests the model has run (a cached answer does not reach it).</summary>
    private static async Task<long> RequestsAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>($"/v1/models/{Chat}")).GetProperty("requests_total").GetInt64();
}
