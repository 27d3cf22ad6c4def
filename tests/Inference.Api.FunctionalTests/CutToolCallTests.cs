using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// A tool call that cannot complete, as clients meet it on a small model (OpenAI's and Ollama's chat, streamed and not,
/// both engines): cut by max_tokens or by the context, the answer says so (finish reason length) and never shows the
/// call's markup as text; a prompt that leaves no room for the shortest call is refused before any decoding.
/// </summary>
public sealed class CutToolCallTests(InferenceApiFixture fixture) : IClassFixture<InferenceApiFixture>
{
    // The embedded default serves both at the model's own 256-token context.
    private const string Onnx = InferenceApiFixture.Chat;
    private const string Gguf = "wordnet-chat-1m-gguf";

    private const string Tools = """[{"type":"function","function":{"name":"get_weather","description":"Get the weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""";

    public static TheoryData<string, bool, int?> Cases => new()
    {
        { Onnx, false, 10 },
        { Onnx, true, 10 },
        { Gguf, false, 10 },
        { Gguf, true, 10 },
        // No limit: the string argument runs on until the 256-token context is full.
        { Onnx, false, null },
        { Onnx, true, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_cut_call_on_chat_completions_is_finish_length_without_markup(string model, bool stream, int? maxTokens)
    {
        var body = Body(model, stream);
        if (maxTokens is { } max)
        {
            body["max_tokens"] = max;
        }

        using var response = await Post("/v1/chat/completions", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("tool_call", text.Replace("\"tool_calls\"", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("\\u003C", text, StringComparison.Ordinal);
        if (stream)
        {
            var chunks = text.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l[6..])!).ToList();
            var choices = chunks.SelectMany(c => c["choices"]!.AsArray()).ToList();
            Assert.Equal("", string.Concat(choices.Select(c => (string?)c!["delta"]!["content"] ?? "")));
            Assert.Equal("length", choices.Select(c => (string?)c!["finish_reason"]).Last(r => r is not null));
        }
        else
        {
            var choice = JsonNode.Parse(text)!["choices"]![0]!;
            Assert.Equal("length", (string)choice["finish_reason"]!);
            Assert.True(string.IsNullOrEmpty((string?)choice["message"]!["content"]), text);
            Assert.Null(choice["message"]!["tool_calls"]);
        }
    }

    [Theory]
    [InlineData(Onnx, false)]
    [InlineData(Onnx, true)]
    [InlineData(Gguf, false)]
    [InlineData(Gguf, true)]
    public async Task A_cut_call_on_ollama_chat_is_done_reason_length_without_markup(string model, bool stream)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["stream"] = stream,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Weather in Paris?" }),
            ["tools"] = JsonNode.Parse(Tools),
            ["tool_choice"] = "required",
            ["options"] = new JsonObject { ["num_predict"] = 10 },
        };
        using var response = await Post("/api/chat", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal("", string.Concat(lines.Select(l => (string?)l["message"]?["content"] ?? "")));
        Assert.DoesNotContain("tool_call>", text, StringComparison.Ordinal);
        Assert.All(lines, l => Assert.Null(l["message"]?["tool_calls"]));
        Assert.Equal("length", (string?)lines[^1]["done_reason"]);
    }

    [Theory]
    [InlineData(Onnx, "/v1/chat/completions")]
    [InlineData(Gguf, "/v1/chat/completions")]
    [InlineData(Onnx, "/api/chat")]
    [InlineData(Gguf, "/api/chat")]
    public async Task A_prompt_without_room_for_the_shortest_call_is_refused(string model, string route)
    {
        // The tools' description fits, but not with a call after it: 60 words bring the prompt near the 256-token context.
        var body = Body(model, stream: false, prompt: string.Concat(Enumerable.Repeat("dog ", 60)));
        using var response = await Post(route, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("shortest tool call", text, StringComparison.Ordinal);
        if (route.StartsWith("/v1", StringComparison.Ordinal))
        {
            Assert.Equal("context_length_exceeded", (string?)JsonNode.Parse(text)!["error"]!["code"]);
        }
        else
        {
            Assert.NotNull(JsonNode.Parse(text)!["error"]);
        }

        // The same prompt without tools is answered.
        body.Remove("tools");
        body.Remove("tool_choice");
        using var plain = await Post(route, body);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
    }

    private static JsonObject Body(string model, bool stream, string prompt = "Weather in Paris?") => new()
    {
        ["model"] = model,
        ["stream"] = stream,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
        ["tools"] = JsonNode.Parse(Tools),
        ["tool_choice"] = "required",
    };

    private Task<HttpResponseMessage> Post(string route, JsonObject body) =>
        fixture.CreateClient().PostAsync(route, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
}
