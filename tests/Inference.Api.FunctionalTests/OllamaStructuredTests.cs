using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OllamaSharp;

namespace Inference.Api.FunctionalTests;

/// <summary>Ollama's format and tools on /api/chat: OllamaSharp's client, and Ollama's own shapes on the wire.</summary>
public sealed class OllamaStructuredTests(StructuredApiFixture fixture) : IClassFixture<StructuredApiFixture>
{
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public Task OllamaSharp_with_a_schema_format_gets_valid_answers(int schema) =>
        StructuredScenarios.SampledAnswersValidateAsync(new OllamaApiClient(fixture.CreateClient(), StructuredApiFixture.Onnx), StructuredScenarios.Schemas[schema], count: 8);

    [Fact]
    public async Task OllamaSharp_sends_tools_and_a_model_that_answers_in_text_gets_text()
    {
        // With Ollama's semantics (the model decides) a word model answers in text, not a call: plain content, done.
        IChatClient client = new OllamaApiClient(fixture.CreateClient(), StructuredApiFixture.Onnx);
        var response = await client.GetResponseAsync("What does \"dog\" mean?", new ChatOptions
        {
            Temperature = 0,
            MaxOutputTokens = 30,
            Tools = [AIFunctionFactory.Create((string city) => "sunny", "weather", "Weather in a city.")],
        });
        Assert.NotEmpty(response.Text);
        Assert.False(response.Text.StartsWith('<'), response.Text);
        Assert.Empty(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
    }

    [Fact]
    public async Task Format_json_gives_json()
    {
        var json = await ChatAsync(new JsonObject
        {
            ["model"] = StructuredApiFixture.Gguf,
            ["stream"] = false,
            ["format"] = "json",
            ["options"] = new JsonObject { ["temperature"] = 1, ["seed"] = 2 },
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "JSON please." }),
        });
        var content = (string)json["message"]!["content"]!;
        Assert.StartsWith("{", content, StringComparison.Ordinal);
        if ((string?)json["done_reason"] == "stop")
        {
            using var _ = JsonDocument.Parse(content);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Tool_calls_come_back_as_Ollama_returns_them(bool stream)
    {
        var request = new JsonObject
        {
            ["model"] = StructuredApiFixture.SyntheticOnnx,
            ["stream"] = stream,
            ["options"] = new JsonObject { ["temperature"] = 0 },
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Weather in Oslo?" }),
            ["tools"] = JsonNode.Parse("""[{"type":"function","function":{"name":"weather","description":"Weather in a city.","parameters":{"type":"object","properties":{"city":{"type":"string","maxLength":10}},"required":["city"]}}}]"""),
            // Our extension: Ollama lets the model decide, and random weights would not call on their own.
            ["tool_choice"] = "required",
        };
        using var response = await fixture.CreateClient().PostAsync("/api/chat", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        // Ollama has no parallel_tool_calls: random weights may call more than once, each call well-formed.
        var calls = lines.SelectMany(l => l["message"]?["tool_calls"]?.AsArray() ?? []).ToList();
        Assert.NotEmpty(calls);
        Assert.All(calls, c =>
        {
            Assert.Equal("weather", (string)c!["function"]!["name"]!);
            Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(c["function"]!["arguments"]!.ToJsonString()).RootElement.ValueKind);
            Assert.True(((string)c["function"]!["arguments"]!["city"]!).EnumerateRunes().Count() <= 10);
        });
        var call = calls[0]!;
        Assert.True((bool)lines[^1]["done"]!);
        Assert.Equal("stop", (string)lines[^1]["done_reason"]!);

        // OllamaSharp reads the call from our answer (whole, or from the stream's lines).
        var parsed = lines.Select(l => JsonSerializer.Deserialize<OllamaSharp.Models.Chat.ChatResponseStream>(l.ToJsonString())!).ToList();
        Assert.Equal(calls.Count, parsed.SelectMany(p => p.Message?.ToolCalls ?? []).Count(c => c.Function?.Name == "weather"));

        // The call and its result in the history are read back, and the model answers.
        var history = request["messages"]!.AsArray();
        history.Add(new JsonObject { ["role"] = "assistant", ["content"] = "", ["tool_calls"] = new JsonArray(call.DeepClone()) });
        history.Add(new JsonObject { ["role"] = "tool", ["content"] = "sunny", ["tool_name"] = "weather" });
        request["tool_choice"] = "none";
        request["stream"] = false;
        request["options"]!["num_predict"] = 5;
        var next = await ChatAsync(request);
        Assert.Null(next["message"]!["tool_calls"]);
        Assert.True((bool)next["done"]!);
    }

    [Fact]
    public async Task An_unsupported_format_is_refused()
    {
        using var response = await fixture.CreateClient().PostAsync("/api/chat", new StringContent(
            """{"model":"wordnet-chat-1m","format":{"type":"object","not":{}},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'not'", (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!, StringComparison.Ordinal);
    }

    private async Task<JsonNode> ChatAsync(JsonObject body)
    {
        using var response = await fixture.CreateClient().PostAsync("/api/chat", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }
}
