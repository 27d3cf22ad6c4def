using System.Diagnostics;
using System.Text.Json;
using Inference.Engines;
using Inference.Engines.Templates;
using Inference.Onnx;
using Inference.Onnx.Chat;
using Microsoft.Extensions.AI;

namespace Inference.Benchmarks;

/// <summary>
/// What serving a model through its own chat template costs: rendering a 20-turn conversation with 5 tools (history
/// with calls, results and reasoning) per request with each shared model's template; and decode speed through the
/// engine's client with and without a reasoning parser reading every token (runs interleaved).
/// </summary>
internal static class TemplateBenchmark
{
    private const int Renders = 2_000;
    private const int Runs = 5;
    private const int Tokens = 128;

    public static void RunRendering(string models)
    {
        var messages = Conversation();
        var tools = Enumerable.Range(0, 5).Select(i => (AITool)AIFunctionFactory.CreateDeclaration(
            $"tool_{i}", $"Tool number {i}: looks something up.",
            JsonDocument.Parse("""{"type":"object","properties":{"query":{"type":"string","description":"What to look up"},"limit":{"type":"integer","minimum":1,"maximum":50},"mode":{"enum":["fast","exact"]}},"required":["query"]}""").RootElement)).ToList();
        var declarations = tools.OfType<AIFunctionDeclaration>().ToList();
        foreach (var folder in new[] { "qwen3-tokenizer", "gpt-oss-tokenizer", "gemma3-tokenizer", "SmolLM-360M-Instruct-tokenizer" })
        {
            var parse = Stopwatch.StartNew();
            var format = ChatTemplateSources.Find(Path.Combine(models, folder), null)!;
            var parsed = parse.Elapsed.TotalMilliseconds;
            var options = new ChatOptions { Tools = tools };
            var length = format.Render("m", messages, declarations, options).Text.Length;
            for (var i = 0; i < 200; i++)
            {
                _ = format.Render("m", messages, declarations, options);
            }

            var times = new double[Renders];
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Renders; i++)
            {
                var started = Stopwatch.GetTimestamp();
                _ = format.Render("m", messages, declarations, options);
                times[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            }

            allocated = (GC.GetAllocatedBytesForCurrentThread() - allocated) / Renders;
            Array.Sort(times);
            Console.WriteLine(
                $"template {folder,-32} parse {parsed,6:F1} ms | render 20 turns + 5 tools: p50 {times[Renders / 2],6:F0} us, p90 {times[Renders * 9 / 10],6:F0} us, " +
                $"{allocated / 1024.0,6:F0} KiB allocated, prompt {length} chars");
        }
    }

    /// <summary>Twenty turns: questions, answers with reasoning, calls and their results.</summary>
    private static List<ChatMessage> Conversation()
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, "You are a careful assistant. Use the tools when they help.") };
        for (var turn = 0; messages.Count < 21; turn++)
        {
            messages.Add(new ChatMessage(ChatRole.User, $"Question {turn}: what is the status of item {turn * 7}?"));
            if (turn % 2 == 0)
            {
                var call = new FunctionCallContent($"call_{turn:D9}", $"tool_{turn % 5}", new Dictionary<string, object?> { ["query"] = $"item {turn * 7}", ["limit"] = 3 });
                messages.Add(new ChatMessage(ChatRole.Assistant, [call]));
                messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, $"{{\"status\": \"ok\", \"item\": {turn * 7}}}")]));
            }

            messages.Add(new ChatMessage(ChatRole.Assistant, [new TextReasoningContent($"The tool said item {turn * 7} is fine."), new TextContent($"Item {turn * 7} is fine.")]));
        }

        return messages;
    }

    /// <summary>Decode tokens per second through the ONNX engine's client, the model's own template against one whose output is read as reasoning.</summary>
    public static async Task RunDecodeAsync(string folder, OnnxEngineOptions options)
    {
        using var plain = LocalChatModel.Load("plain", folder, options);
        using var thinking = LocalChatModel.Load("thinking", folder, options, ReasoningTemplate.Text);
        using var plainClient = new OnnxChatClient(plain);
        using var thinkingClient = new OnnxChatClient(thinking);
        var settings = new ChatOptions
        {
            Temperature = 0.8f,
            Seed = 3,
            MaxOutputTokens = Tokens,
            AdditionalProperties = new() { [EngineChatOptions.IgnoreEos] = true },
        };
        var prompt = string.Join(' ', Enumerable.Repeat("Tell me about trees.", 20));
        await DecodeAsync(plainClient, prompt, settings);
        await DecodeAsync(thinkingClient, prompt, settings);
        var without = new List<double>();
        var with = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            without.Add(await DecodeAsync(plainClient, prompt, settings));
            with.Add(await DecodeAsync(thinkingClient, prompt, settings));
        }

        Console.WriteLine(
            $"decode {Path.GetFileName(folder)} ({Tokens} tokens, streamed): without a reasoning parser {LlamaBench.Range(without)} tok/s, " +
            $"with one {LlamaBench.Range(with)} tok/s; ratio of medians {LlamaBench.Median(with) / LlamaBench.Median(without):F3}");
    }

    private static async Task<double> DecodeAsync(IChatClient client, string prompt, ChatOptions options)
    {
        // From the first update: prompt processing is the same for both; what differs is each token's reading.
        var first = 0L;
        await foreach (var update in client.GetStreamingResponseAsync(prompt, options))
        {
            if (first == 0)
            {
                first = Stopwatch.GetTimestamp();
            }
        }

        var seconds = Stopwatch.GetElapsedTime(first).TotalSeconds;
        return (Tokens - 1) / seconds;
    }
}
