using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using InferenceAspire.TestSupport.Scripted;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Inference.Engines;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// Reasoning and native tool calls through every HTTP surface, on real models' templates whose output is forced
/// (<see cref="ScriptedModelFormat"/>): Qwen 3's think tags, GPT-OSS's Harmony channels, Gemma 3's refusals.
/// </summary>
public sealed class ReasoningApiTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("reasoning-api-").FullName;
    private WebApplicationFactory<Program> _api = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        Scripted("qwen3-think", "qwen3-tokenizer", "<think>\nThe user greets me.\n</think>\n\nHello there!");
        Scripted("gpt-oss-call", "gpt-oss-tokenizer",
            "<|channel|>analysis<|message|>Need the weather.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"city\": \"Paris\"}");
        Scripted("gemma3-plain", "gemma3-tokenizer", "Plain answer.");
        _api = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Inference:ModelsDirectory", _root);
            b.UseSetting("Inference:Metadata:SqlitePath", Path.Combine(_root, "metadata.db"));
            b.UseSetting("Inference:Cache:Enabled", "false");
            b.ConfigureServices(s => s.AddSingleton<IModelFormat, ScriptedModelFormat>());
        });
        _http = _api.CreateClient();
        await Eventually.HoldsAsync(() => _http.GetAsync("/v1/models"), r => r.IsSuccessStatusCode && r.Content.ReadAsStringAsync().Result.Contains("gemma3-plain", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Scripted(string id, string source, string script)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, id)).FullName;
        foreach (var file in new[] { "tokenizer_config.json", "chat_template.jinja" })
        {
            var from = Path.Combine(InferenceApiFixture.ModelsRoot, source, file);
            if (File.Exists(from))
            {
                File.Copy(from, Path.Combine(folder, file));
            }
        }

        File.WriteAllText(Path.Combine(folder, ScriptedModelFormat.ScriptFile), script);
    }

    private const string Tools = """[{"type":"function","function":{"name":"get_weather","description":"Weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""";

    [Fact]
    public async Task OpenAI_answers_carry_reasoning_content_apart_from_the_content()
    {
        var answer = await LifecycleHost.PostAsync(_http, "/v1/chat/completions", """{"model":"qwen3-think","messages":[{"role":"user","content":"Hi"}]}""");

        var message = answer.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal("Hello there!", message.GetProperty("content").GetString());
        Assert.Equal("The user greets me.", message.GetProperty("reasoning_content").GetString());
        Assert.Equal("stop", answer.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task OpenAI_streams_reasoning_deltas_before_content_deltas()
    {
        var deltas = await StreamAsync("""{"model":"qwen3-think","stream":true,"messages":[{"role":"user","content":"Hi"}]}""");

        var reasoning = deltas.Where(d => d.TryGetProperty("reasoning_content", out _)).Select(d => d.GetProperty("reasoning_content").GetString()).ToList();
        var content = deltas.Where(d => d.TryGetProperty("content", out _)).Select(d => d.GetProperty("content").GetString()).ToList();
        Assert.Equal("The user greets me.", string.Concat(reasoning));
        Assert.Equal("Hello there!", string.Concat(content));
        Assert.True(reasoning.Count > 1 && content.Count > 2);
        var lastReasoning = deltas.FindLastIndex(d => d.TryGetProperty("reasoning_content", out _));
        var firstText = deltas.FindIndex(d => d.TryGetProperty("content", out var c) && c.GetString()!.Length > 0);
        Assert.True(lastReasoning < firstText);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_harmony_call_comes_back_as_an_OpenAI_tool_call(bool stream)
    {
        var body = $$"""{"model":"gpt-oss-call","stream":{{(stream ? "true" : "false")}},"tools":{{Tools}},"messages":[{"role":"user","content":"Weather in Paris?"}]}""";
        string name, arguments, reasoning, finish;
        if (stream)
        {
            var chunks = await StreamChunksAsync(body);
            var deltas = chunks.Select(c => c.GetProperty("choices")).Where(c => c.GetArrayLength() > 0).Select(c => c[0].GetProperty("delta")).ToList();
            var calls = deltas.Where(d => d.TryGetProperty("tool_calls", out _)).SelectMany(d => d.GetProperty("tool_calls").EnumerateArray()).ToList();
            name = calls.Select(c => c.GetProperty("function")).Where(f => f.TryGetProperty("name", out _)).Select(f => f.GetProperty("name").GetString()!).Single();
            arguments = string.Concat(calls.Select(c => c.GetProperty("function").GetProperty("arguments").GetString()));
            reasoning = string.Concat(deltas.Where(d => d.TryGetProperty("reasoning_content", out _)).Select(d => d.GetProperty("reasoning_content").GetString()));
            finish = chunks.Select(c => c.GetProperty("choices")).Where(c => c.GetArrayLength() > 0 && c[0].TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String)
                .Select(c => c[0].GetProperty("finish_reason").GetString()!).Single();
            Assert.DoesNotContain(deltas, d => d.TryGetProperty("content", out var c) && c.GetString()!.Length > 0);
        }
        else
        {
            var answer = await LifecycleHost.PostAsync(_http, "/v1/chat/completions", body);
            var message = answer.GetProperty("choices")[0].GetProperty("message");
            var call = message.GetProperty("tool_calls").EnumerateArray().Single().GetProperty("function");
            (name, arguments) = (call.GetProperty("name").GetString()!, call.GetProperty("arguments").GetString()!);
            reasoning = message.GetProperty("reasoning_content").GetString()!;
            finish = answer.GetProperty("choices")[0].GetProperty("finish_reason").GetString()!;
            Assert.Equal(JsonValueKind.Null, message.GetProperty("content").ValueKind);
        }

        Assert.Equal(("get_weather", "Need the weather.", "tool_calls"), (name, reasoning, finish));
        Assert.Equal("Paris", JsonDocument.Parse(arguments).RootElement.GetProperty("city").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ollama_gives_thinking_apart_from_content(bool stream)
    {
        var body = $$"""{"model":"qwen3-think","stream":{{(stream ? "true" : "false")}},"think":true,"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Earlier.","thinking":"Earlier thought."},{"role":"user","content":"Hi again"}]}""";
        using var response = await _http.PostAsync("/api/chat", OpenAIClientTests.Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var messages = lines.Select(l => l.GetProperty("message")).ToList();
        Assert.Equal("The user greets me.", string.Concat(messages.Where(m => m.TryGetProperty("thinking", out _)).Select(m => m.GetProperty("thinking").GetString())));
        Assert.Equal("Hello there!", string.Concat(messages.Select(m => m.GetProperty("content").GetString())));
        Assert.True(lines[^1].GetProperty("done").GetBoolean());
        Assert.True(stream ? lines.Count > 3 : lines.Count == 1, $"{lines.Count} lines");
    }

    [Fact]
    public async Task Ollama_show_reports_the_template_and_the_capabilities_it_implies()
    {
        var show = await LifecycleHost.PostAsync(_http, "/api/show", """{"model":"gpt-oss-call"}""");
        Assert.Contains("<|channel|>", show.GetProperty("template").GetString(), StringComparison.Ordinal);
        var capabilities = show.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Equal(["completion", "tools", "thinking"], capabilities);

        var gemma = await LifecycleHost.PostAsync(_http, "/api/show", """{"model":"gemma3-plain"}""");
        Assert.DoesNotContain("thinking", gemma.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));

        // The services directory says which models reason.
        var services = await _http.GetStringAsync("/api/services");
        var directory = JsonDocument.Parse(services).RootElement.GetProperty("services").EnumerateArray()
            .SelectMany(service => service.GetProperty("models").EnumerateArray())
            .ToDictionary(m => m.GetProperty("model_name").GetString()!, m => m.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()).ToList());
        Assert.Contains("reasoning", directory["qwen3-think"]);
        Assert.DoesNotContain("reasoning", directory["gemma3-plain"]);

        var models = await _http.GetFromJsonAsync<JsonElement>("/v1/models");
        var listed = models.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "qwen3-think").GetProperty("capabilities");
        Assert.Equal(("hermes", "think"), (listed.GetProperty("tool_calls").GetString(), listed.GetProperty("reasoning").GetString()));
    }

    [Fact]
    public async Task A_template_s_own_refusal_is_a_400_with_its_message_and_bad_reasoning_fields_are_400s()
    {
        using var openAI = await _http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json("""{"model":"gemma3-plain","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}"""));
        await BadInputTests.AssertError(openAI, 400, "messages", null);
        Assert.Contains("Conversation roles must alternate user/assistant/user/assistant/...", await openAI.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var ollama = await _http.PostAsync("/api/chat", OpenAIClientTests.Json("""{"model":"gemma3-plain","stream":false,"messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, ollama.StatusCode);
        Assert.Contains("Conversation roles must alternate", await ollama.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await BadInputTests.AssertError(
            await _http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json("""{"model":"qwen3-think","reasoning_effort":"extreme","messages":[{"role":"user","content":"a"}]}""")),
            400, "reasoning_effort", "invalid_value");
        await BadInputTests.AssertError(
            await _http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json("""{"model":"qwen3-think","chat_template_kwargs":[1],"messages":[{"role":"user","content":"a"}]}""")),
            400, "chat_template_kwargs", null);
        using var think = await _http.PostAsync("/api/chat", OpenAIClientTests.Json("""{"model":"qwen3-think","think":"maybe","messages":[{"role":"user","content":"a"}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, think.StatusCode);
    }

    [Fact]
    public async Task Anthropic_messages_carry_thinking_blocks_and_tool_use_whole_and_streamed()
    {
        var answer = await LifecycleHost.PostAsync(_http, "/v1/messages", """{"model":"qwen3-think","max_tokens":50,"thinking":{"type":"enabled","budget_tokens":40},"messages":[{"role":"user","content":"Hi"}]}""");
        var blocks = answer.GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(["thinking", "text"], blocks.Select(b => b.GetProperty("type").GetString()));
        Assert.Equal(("The user greets me.", "Hello there!"), (blocks[0].GetProperty("thinking").GetString(), blocks[1].GetProperty("text").GetString()));
        Assert.Equal("end_turn", answer.GetProperty("stop_reason").GetString());

        var called = await LifecycleHost.PostAsync(_http, "/v1/messages", """{"model":"gpt-oss-call","max_tokens":50,"tools":[{"name":"get_weather","description":"Weather in a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}],"messages":[{"role":"user","content":"Weather in Paris?"}]}""");
        var use = called.GetProperty("content").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "tool_use");
        Assert.Equal(("get_weather", "Paris", "tool_use"), (use.GetProperty("name").GetString(), use.GetProperty("input").GetProperty("city").GetString(), called.GetProperty("stop_reason").GetString()));
        Assert.StartsWith("toolu_", use.GetProperty("id").GetString(), StringComparison.Ordinal);

        // The call and its result sent back.
        var id = use.GetProperty("id").GetString();
        var followUp = """
            {"model":"gpt-oss-call","max_tokens":50,"tools":[{"name":"get_weather","description":"Weather in a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
             "messages":[{"role":"user","content":"Weather in Paris?"},
                         {"role":"assistant","content":[{"type":"thinking","thinking":"Need it.","signature":""},{"type":"tool_use","id":"TOOL_ID","name":"get_weather","input":{"city":"Paris"}}]},
                         {"role":"user","content":[{"type":"tool_result","tool_use_id":"TOOL_ID","content":[{"type":"text","text":"21 C"}]}]}]}
            """.Replace("TOOL_ID", id, StringComparison.Ordinal);
        await LifecycleHost.PostAsync(_http, "/v1/messages", followUp);

        using var streamed = await _http.PostAsync("/v1/messages", OpenAIClientTests.Json("""{"model":"qwen3-think","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"Hi"}]}"""));
        var events = AnthropicMessagesTests.ParseEvents(await streamed.Content.ReadAsStringAsync());
        var starts = events.Where(e => e.Name == "content_block_start").Select(e => e.Data.GetProperty("content_block").GetProperty("type").GetString()).ToList();
        Assert.Equal(["thinking", "text"], starts);
        var deltas = events.Where(e => e.Name == "content_block_delta").Select(e => e.Data.GetProperty("delta")).ToList();
        Assert.Equal("The user greets me.", string.Concat(deltas.Where(d => d.GetProperty("type").GetString() == "thinking_delta").Select(d => d.GetProperty("thinking").GetString())));
        Assert.Equal("Hello there!", string.Concat(deltas.Where(d => d.GetProperty("type").GetString() == "text_delta").Select(d => d.GetProperty("text").GetString())));
        Assert.Contains(deltas, d => d.GetProperty("type").GetString() == "signature_delta");

        using var streamedCall = await _http.PostAsync("/v1/messages", OpenAIClientTests.Json("""{"model":"gpt-oss-call","max_tokens":50,"stream":true,"tools":[{"name":"get_weather","description":"Weather in a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}],"messages":[{"role":"user","content":"Weather?"}]}"""));
        var callEvents = AnthropicMessagesTests.ParseEvents(await streamedCall.Content.ReadAsStringAsync());
        var json = string.Concat(callEvents.Where(e => e.Name == "content_block_delta" && e.Data.GetProperty("delta").GetProperty("type").GetString() == "input_json_delta")
            .Select(e => e.Data.GetProperty("delta").GetProperty("partial_json").GetString()));
        Assert.Equal("Paris", JsonDocument.Parse(json).RootElement.GetProperty("city").GetString());
        Assert.Equal("tool_use", callEvents.Single(e => e.Name == "message_delta").Data.GetProperty("delta").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task Responses_carry_reasoning_items_with_their_tokens_and_function_calls_whole_and_streamed()
    {
        var answer = await LifecycleHost.PostAsync(_http, "/v1/responses", """{"model":"qwen3-think","input":"Hi","reasoning":{"effort":"medium","summary":"auto"}}""");
        var output = answer.GetProperty("output").EnumerateArray().ToList();
        Assert.Equal(["reasoning", "message"], output.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("The user greets me.", output[0].GetProperty("summary")[0].GetProperty("text").GetString());
        Assert.Equal("summary_text", output[0].GetProperty("summary")[0].GetProperty("type").GetString());
        Assert.Equal("Hello there!", output[1].GetProperty("content")[0].GetProperty("text").GetString());
        var usage = answer.GetProperty("usage");
        var reasoningTokens = usage.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt32();
        Assert.InRange(reasoningTokens, 1, usage.GetProperty("output_tokens").GetInt32() - 1);
        Assert.Equal("medium", answer.GetProperty("reasoning").GetProperty("effort").GetString());

        // Chat completions count the same reasoning tokens.
        var chat = await LifecycleHost.PostAsync(_http, "/v1/chat/completions", """{"model":"qwen3-think","messages":[{"role":"user","content":"Hi"}]}""");
        Assert.Equal(reasoningTokens, chat.GetProperty("usage").GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());

        using var streamed = await _http.PostAsync("/v1/responses", OpenAIClientTests.Json("""{"model":"qwen3-think","input":"Hi","stream":true}"""));
        var events = AnthropicMessagesTests.ParseEvents(await streamed.Content.ReadAsStringAsync());
        var names = events.Select(e => e.Name).ToList();
        Assert.True(names.IndexOf("response.reasoning_summary_text.done") < names.IndexOf("response.output_text.delta"), string.Join(", ", names));
        Assert.Equal("The user greets me.", string.Concat(events.Where(e => e.Name == "response.reasoning_summary_text.delta").Select(e => e.Data.GetProperty("delta").GetString())));
        Assert.Equal("Hello there!", string.Concat(events.Where(e => e.Name == "response.output_text.delta").Select(e => e.Data.GetProperty("delta").GetString())));
        Assert.Equal([0, 1], events.Where(e => e.Name == "response.output_item.done").Select(e => e.Data.GetProperty("output_index").GetInt32()));
        Assert.Equal(reasoningTokens, events[^1].Data.GetProperty("response").GetProperty("usage").GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt32());

        // GPT-OSS's Harmony call: its analysis as reasoning, its call as a function_call item; sent back with its output.
        var called = await LifecycleHost.PostAsync(_http, "/v1/responses", """
            {"model":"gpt-oss-call","input":"Weather in Paris?","tools":[{"type":"function","name":"get_weather","description":"Weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]}
            """);
        var items = called.GetProperty("output").EnumerateArray().ToList();
        Assert.Equal(["reasoning", "function_call"], items.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("Need the weather.", items[0].GetProperty("summary")[0].GetProperty("text").GetString());
        Assert.Equal(("get_weather", "Paris"), (items[1].GetProperty("name").GetString(), JsonDocument.Parse(items[1].GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString()));
        var followUp = $$"""
            {"model":"gpt-oss-call","previous_response_id":"{{called.GetProperty("id").GetString()}}",
             "input":[{"type":"function_call_output","call_id":"{{items[1].GetProperty("call_id").GetString()}}","output":"21 C"}]}
            """;
        var rendered = await LifecycleHost.PostAsync(_http, "/v1/responses", followUp);
        Assert.Equal("completed", rendered.GetProperty("status").GetString());
    }

    private async Task<List<JsonElement>> StreamAsync(string body) =>
        [.. (await StreamChunksAsync(body)).Select(c => c.GetProperty("choices")).Where(c => c.GetArrayLength() > 0).Select(c => c[0].GetProperty("delta"))];

    private async Task<List<JsonElement>> StreamChunksAsync(string body)
    {
        using var response = await _http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadAsStringAsync()).Split('\n')
            .Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement.Clone())];
    }
}
