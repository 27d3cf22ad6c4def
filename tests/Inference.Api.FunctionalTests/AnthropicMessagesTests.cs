using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using Microsoft.Extensions.AI;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// Anthropic's Messages API through Anthropic's official .NET SDK (and MEAI over it), and on the wire: the same greedy
/// answer as chat completions, streamed events in Anthropic's order, count_tokens, tools, and Anthropic's errors.
/// </summary>
public sealed class AnthropicMessagesTests(InferenceApiFixture api) : IClassFixture<InferenceApiFixture>
{
    private const string Question = "What does \"dog\" mean?";

    private AnthropicClient Sdk() => new() { ApiKey = "unused", BaseUrl = api.Server.BaseAddress.ToString().TrimEnd('/'), HttpClient = api.CreateClient(), MaxRetries = 0 };

    [Fact]
    public async Task The_official_sdk_gets_the_same_greedy_answer_as_chat_completions()
    {
        // The model decodes greedily unless asked otherwise (its generation_config), as the SDK sends no temperature.
        using var http = api.CreateClient();
        var chat = await LifecycleHost.PostAsync(http, "/v1/chat/completions", JsonSerializer.Serialize(new
        {
            model = InferenceApiFixture.Chat, max_tokens = 40, messages = new[] { new { role = "user", content = Question } },
        }));

        var message = await Sdk().Messages.Create(new MessageCreateParams
        {
            Model = InferenceApiFixture.Chat,
            MaxTokens = 40,
            Messages = [new UserMessageParam(Question)],
        });

        var text = string.Concat(message.Content.Select(b => b.Value).OfType<TextBlock>().Select(b => b.Text));
        Assert.Equal(chat.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), text);
        Assert.StartsWith("dog: a member of the genus Canis", text, StringComparison.Ordinal);
        Assert.Equal(chat.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), (int)message.Usage.InputTokens);
        Assert.StartsWith("msg_", message.ID, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Meai_over_the_sdk_streams_the_answer_and_counts_its_tokens()
    {
        var client = Sdk();
        IChatClient chat = client.AsIChatClient(InferenceApiFixture.Chat, 40);

        var updates = await chat.GetStreamingResponseAsync(Question, new ChatOptions { Temperature = 0 }).ToListAsync();
        var whole = await chat.GetResponseAsync(Question, new ChatOptions { Temperature = 0 });

        Assert.True(updates.Count(u => u.Text.Length > 0) > 3, "the answer arrives in pieces");
        Assert.Equal(whole.Text, string.Concat(updates.Select(u => u.Text)));
        Assert.StartsWith("dog: a member of the genus Canis", whole.Text, StringComparison.Ordinal);

        var counted = await client.Messages.CountTokens(new MessageCountTokensParams
        {
            Model = InferenceApiFixture.Chat,
            Messages = [new UserMessageParam(Question)],
        });
        Assert.Equal(whole.Usage!.InputTokenCount, counted.InputTokens);
    }

    [Fact]
    public async Task Streamed_events_come_in_anthropics_order_and_shape()
    {
        using var http = api.CreateClient();
        var body = JsonSerializer.Serialize(new { model = InferenceApiFixture.Chat, max_tokens = 20, temperature = 0, stream = true, messages = new[] { new { role = "user", content = Question } } });
        using var response = await http.PostAsync("/v1/messages", OpenAIClientTests.Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = ParseEvents(await response.Content.ReadAsStringAsync());

        Assert.Equal(["message_start", "ping", "content_block_start"], events.Take(3).Select(e => e.Name));
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], events.TakeLast(3).Select(e => e.Name));
        Assert.All(events, e => Assert.Equal(e.Name, e.Data.GetProperty("type").GetString()));
        Assert.All(events.Where(e => e.Name == "content_block_delta"), e => Assert.Equal("text_delta", e.Data.GetProperty("delta").GetProperty("type").GetString()));
        var start = events[0].Data.GetProperty("message");
        Assert.Equal(("message", "assistant", 0), (start.GetProperty("type").GetString(), start.GetProperty("role").GetString(), start.GetProperty("content").GetArrayLength()));
        var delta = events[^2].Data;
        Assert.Equal("max_tokens", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.Equal(20, delta.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Errors_come_in_anthropics_shape()
    {
        using var http = api.CreateClient();
        await AssertError(await http.PostAsync("/v1/messages", OpenAIClientTests.Json($$"""{"model":"{{InferenceApiFixture.Chat}}","messages":[{"role":"user","content":"hi"}]}""")), 400, "invalid_request_error", "max_tokens");
        await AssertError(await http.PostAsync("/v1/messages", OpenAIClientTests.Json("""{"model":"no-such-model","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""")), 404, "not_found_error", "no-such-model");
        await AssertError(await http.PostAsync("/v1/messages", OpenAIClientTests.Json($$"""{"model":"{{InferenceApiFixture.Chat}}","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"web_search_20250305","name":"web_search"}]}""")), 400, "invalid_request_error", "web_search_20250305");
        await AssertError(await http.PostAsync("/v1/messages", OpenAIClientTests.Json($$"""{"model":"{{InferenceApiFixture.Chat}}","max_tokens":5,"messages":[{"role":"system","content":"hi"}]}""")), 400, "invalid_request_error", "messages.0.role");
        await AssertError(await http.PostAsync("/v1/messages", OpenAIClientTests.Json($$$"""{"model":"{{{InferenceApiFixture.Chat}}}","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{}}]}]}""")), 400, "invalid_request_error", "'image' block");
        await AssertError(await http.PostAsync("/v1/messages", OpenAIClientTests.Json("{not json")), 400, "invalid_request_error", null);

        var sdkError = await Assert.ThrowsAnyAsync<Exception>(() => Sdk().Messages.Create(new MessageCreateParams
        {
            Model = "no-such-model", MaxTokens = 5, Messages = [new UserMessageParam("hi")],
        }));
        Assert.Contains("no-such-model", sdkError.Message, StringComparison.Ordinal);
    }

    private static async Task AssertError(HttpResponseMessage response, int status, string type, string? mentions)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True((int)response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Equal(type, body.GetProperty("error").GetProperty("type").GetString());
        if (mentions is not null)
        {
            Assert.Contains(mentions, body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    internal static List<(string Name, JsonElement Data)> ParseEvents(string stream) =>
        [.. stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n'))
            .Select(lines => (
                lines.Single(l => l.StartsWith("event: ", StringComparison.Ordinal))["event: ".Length..],
                JsonDocument.Parse(lines.Single(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..]).RootElement.Clone()))];
}
