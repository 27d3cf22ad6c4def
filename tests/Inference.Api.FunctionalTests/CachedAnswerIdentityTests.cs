using System.Net.Http.Json;
using System.Text.Json;
using OpenAI.Chat;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// The response cache keeps answers, not their identity: two identical deterministic requests get the same text (the
/// second without reaching the model) but each its own completion id and creation time, streamed or not.
/// </summary>
public sealed class CachedAnswerIdentityTests(InferenceApiFixture fixture) : IClassFixture<InferenceApiFixture>
{
    private const string Chat = InferenceApiFixture.Chat;

    [Fact]
    public async Task Each_answer_from_the_cache_has_its_own_id()
    {
        using var http = fixture.CreateClient();
        var client = fixture.CreateOpenAIClient().GetChatClient(Chat);
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 12 };
        ChatMessage[] messages = [new UserChatMessage("What does \"fir\" mean?")];

        var first = (await client.CompleteChatAsync(messages, options)).Value;
        var before = await RequestsAsync(http);
        var second = (await client.CompleteChatAsync(messages, options)).Value;
        Assert.Equal(before, await RequestsAsync(http));
        Assert.Equal(first.Content[0].Text, second.Content[0].Text);
        Assert.NotEqual(first.Id, second.Id);
        Assert.StartsWith("chatcmpl-", second.Id, StringComparison.Ordinal);
        Assert.True(second.CreatedAt >= first.CreatedAt);

        // Streamed: every chunk of one answer shares an id, and the cached answer's is new.
        var streamed = await IdsAsync(client.CompleteChatStreamingAsync([new UserChatMessage("What does \"yew\" mean?")], options));
        before = await RequestsAsync(http);
        var replayed = await IdsAsync(client.CompleteChatStreamingAsync([new UserChatMessage("What does \"yew\" mean?")], options));
        Assert.Equal(before, await RequestsAsync(http));
        Assert.Single(streamed);
        Assert.Single(replayed);
        Assert.NotEqual(streamed.Single(), replayed.Single());

        // Raw HTTP, as the JS clients send it: the ids differ too.
        var ids = new HashSet<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json($$"""{"model":"{{Chat}}","temperature":0,"max_tokens":6,"messages":[{"role":"user","content":"ash"}]}"""));
            Assert.True(ids.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!));
        }
    }

    private static async Task<HashSet<string>> IdsAsync(System.ClientModel.AsyncCollectionResult<StreamingChatCompletionUpdate> stream)
    {
        var ids = new HashSet<string>();
        await foreach (var update in stream)
        {
            ids.Add(update.CompletionId);
        }

        return ids;
    }

    private static async Task<long> RequestsAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>($"/v1/models/{Chat}")).GetProperty("requests_total").GetInt64();
}
