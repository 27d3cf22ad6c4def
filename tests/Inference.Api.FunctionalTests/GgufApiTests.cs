using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OllamaSharp;

namespace Inference.Api.FunctionalTests;

/// <summary>GGUF models through the OpenAI- and Ollama-compatible APIs, beside the same model served from ONNX.</summary>
public sealed class GgufApiTests(GgufApiFixture fixture) : IClassFixture<GgufApiFixture>
{
    private static readonly JsonElement Golden = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(InferenceApiFixture.ModelsRoot, GgufApiFixture.Gguf, "golden.json"))).RootElement;

    public static TheoryData<int> CaseIndexes() => [.. Enumerable.Range(0, Golden.GetProperty("cases").GetArrayLength())];

    [Theory]
    [MemberData(nameof(CaseIndexes))]
    public async Task Golden_answers_come_through_the_openai_api_exactly(int index)
    {
        var c = Golden.GetProperty("cases")[index];
        var answer = await CompleteAsync(GgufApiFixture.Gguf, c);
        Assert.Equal(c.GetProperty("text").GetString(), answer.Text);
        Assert.Equal("stop", answer.Finish);
        Assert.Equal(c.GetProperty("prompt_ids").GetArrayLength(), answer.PromptTokens);
        Assert.Equal(c.GetProperty("generated_ids").GetArrayLength(), answer.CompletionTokens);
    }

    [Theory]
    [MemberData(nameof(CaseIndexes))]
    public async Task The_onnx_and_gguf_copies_give_the_same_greedy_text(int index)
    {
        var c = Golden.GetProperty("cases")[index];
        var onnx = await CompleteAsync(GgufApiFixture.Onnx, c);
        var gguf = await CompleteAsync(GgufApiFixture.Gguf, c);
        Assert.Equal(onnx, gguf);
    }

    [Theory]
    [InlineData(GgufApiFixture.Gguf)]
    [InlineData(GgufApiFixture.Onnx)]
    public async Task Ignore_eos_runs_past_the_end_of_the_answer_to_max_tokens(string model)
    {
        using var http = fixture.CreateClient();
        using var response = await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model,
            temperature = 0,
            max_tokens = 60,
            ignore_eos = true,
            messages = new[] { new { role = "user", content = "What does \"dog\" mean?" } },
        });
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(60, json.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("length", json.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var text = json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        Assert.StartsWith("dog: a member of the genus Canis that has been domesticated by man since prehistoric times.", text, StringComparison.Ordinal);
        Assert.True(text.Length > 100);
    }

    [Fact]
    public async Task Models_list_the_gguf_capabilities_from_its_metadata()
    {
        using var http = fixture.CreateClient();
        var models = (await http.GetFromJsonAsync<JsonElement>("/v1/models")).GetProperty("data").EnumerateArray()
            .ToDictionary(m => m.GetProperty("id").GetString()!, m => m.GetProperty("capabilities"));

        var gguf = models[GgufApiFixture.Gguf];
        Assert.Equal("gguf", gguf.GetProperty("format").GetString());
        Assert.Equal("llama", gguf.GetProperty("architecture").GetString());
        Assert.Equal("F32", gguf.GetProperty("quantization").GetString());
        Assert.Equal(984_192, gguf.GetProperty("parameter_count").GetInt64());
        Assert.Equal(256, gguf.GetProperty("context_length").GetInt32());
        Assert.Equal(128, gguf.GetProperty("embedding_length").GetInt32());
        Assert.Equal("gguf", gguf.GetProperty("chat_template").GetString());
        Assert.Equal("Q8_0", models[GgufApiFixture.Q8].GetProperty("quantization").GetString());
        Assert.Equal("onnx", models[GgufApiFixture.Onnx].GetProperty("format").GetString());
    }

    [Fact]
    public async Task Ollama_show_and_tags_report_the_gguf_as_ollama_does()
    {
        var ollama = new OllamaApiClient(fixture.CreateClient());
        var show = await ollama.ShowModelAsync(GgufApiFixture.Gguf);
        Assert.Equal("gguf", show.Details.Format);
        Assert.Equal("llama", show.Details.Family);
        Assert.Equal("984.19K", show.Details.ParameterSize);
        Assert.Equal("F32", show.Details.QuantizationLevel);
        Assert.Equal("llama", show.Info.Architecture);
        Assert.Equal(984_192, show.Info.ParameterCount);
        Assert.Equal(256, ((JsonElement)show.Info.ExtraInfo!["llama.context_length"]).GetInt32());
        Assert.Equal(128, ((JsonElement)show.Info.ExtraInfo!["llama.embedding_length"]).GetInt32());
        Assert.Equal(4, ((JsonElement)show.Info.ExtraInfo!["llama.block_count"]).GetInt32());

        var tags = await ollama.ListLocalModelsAsync();
        Assert.Equal("Q8_0", tags.Single(m => m.Name == GgufApiFixture.Q8).Details.QuantizationLevel);
    }

    [Fact]
    public async Task Ollama_generate_in_raw_mode_sends_the_prompt_without_a_template()
    {
        var c = Golden.GetProperty("cases")[9];
        var ollama = new OllamaApiClient(fixture.CreateClient());
        var text = new System.Text.StringBuilder();
        await foreach (var chunk in ollama.GenerateAsync(new OllamaSharp.Models.GenerateRequest
        {
            Model = GgufApiFixture.Gguf,
            Prompt = c.GetProperty("prompt").GetString()!,
            Raw = true,
            Options = new OllamaSharp.Models.RequestOptions { Temperature = 0 },
        }))
        {
            text.Append(chunk?.Response);
        }

        Assert.Equal(c.GetProperty("text").GetString(), text.ToString());
    }

    [Fact]
    public async Task The_second_turn_of_a_conversation_reports_the_reused_prompt_tokens()
    {
        using var http = fixture.CreateClient();
        var first = await ChatAsync(http, [("user", "What does \"stone\" mean?")]);
        var second = await ChatAsync(http, [("user", "What does \"stone\" mean?"), ("assistant", first.Text), ("user", "What does \"cat\" mean?")]);

        Assert.True(second.Cached >= first.PromptTokens, $"{second.Cached} of {second.PromptTokens} prompt tokens reused");
    }

    [Fact]
    public async Task Eight_concurrent_http_streams_each_get_their_own_answer()
    {
        var chats = Golden.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("kind").GetString() == "chat").ToList();
        var answers = await Task.WhenAll(chats.Select(c => Task.Run(async () =>
        {
            var client = ChatClient();
            var messages = c.GetProperty("messages").EnumerateArray().Select(m => new ChatMessage(new ChatRole(m.GetProperty("role").GetString()!), m.GetProperty("content").GetString())).ToList();
            var updates = await client.GetStreamingResponseAsync(messages, new ChatOptions { Temperature = 0 }).ToListAsync();
            return (Expected: c.GetProperty("text").GetString(), Actual: string.Concat(updates.Select(u => u.Text)), Pieces: updates.Count(u => u.Text.Length > 0));
        })));

        Assert.Equal(8, answers.Length);
        Assert.All(answers, a =>
        {
            Assert.Equal(a.Expected, a.Actual);
            Assert.True(a.Pieces > 3);
        });
    }

    private IChatClient ChatClient() =>
        new OpenAI.OpenAIClient(new System.ClientModel.ApiKeyCredential("unused"), new OpenAI.OpenAIClientOptions
        {
            Endpoint = new Uri(fixture.Server.BaseAddress, "/v1"),
            Transport = new System.ClientModel.Primitives.HttpClientPipelineTransport(fixture.CreateClient()),
        }).GetChatClient(GgufApiFixture.Gguf).AsIChatClient();

    /// <summary>A golden case through /v1/chat/completions (chat cases) or /v1/completions (raw ones), greedy.</summary>
    private async Task<(string Text, string? Finish, int PromptTokens, int CompletionTokens)> CompleteAsync(string model, JsonElement c)
    {
        using var http = fixture.CreateClient();
        var chat = c.GetProperty("kind").GetString() == "chat";
        object body = chat
            ? new { model, temperature = 0, messages = c.GetProperty("messages") }
            : new { model, temperature = 0, prompt = c.GetProperty("prompt").GetString(), max_tokens = 48 };
        using var response = await http.PostAsJsonAsync(chat ? "/v1/chat/completions" : "/v1/completions", body);
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        var choice = json.GetProperty("choices")[0];
        var usage = json.GetProperty("usage");
        return (chat ? choice.GetProperty("message").GetProperty("content").GetString()! : choice.GetProperty("text").GetString()!,
            choice.GetProperty("finish_reason").GetString(), usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("completion_tokens").GetInt32());
    }

    private static async Task<(string Text, int PromptTokens, int Cached)> ChatAsync(HttpClient http, (string Role, string Content)[] messages)
    {
        using var response = await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = GgufApiFixture.Gguf,
            temperature = 0,
            messages = messages.Select(m => new { role = m.Role, content = m.Content }),
        });
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        var usage = json.GetProperty("usage");
        var cached = usage.TryGetProperty("prompt_tokens_details", out var details) ? details.GetProperty("cached_tokens").GetInt32() : 0;
        return (json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!, usage.GetProperty("prompt_tokens").GetInt32(), cached);
    }
}
