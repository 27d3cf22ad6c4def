using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;

namespace Inference.LlamaCpp.Tests;

/// <summary>The shared GGUF models the tests run against; a missing file fails the test, it never skips it.</summary>
internal static class GgufModels
{
    public const string WordnetId = "wordnet-chat-1m-gguf";

    public static string Root { get; } = ModelsDirectory.Locate()
        ?? throw new InvalidOperationException($"No models directory: set {ModelsDirectory.EnvironmentVariable} or put shared/models beside the checkout.");

    public static string WordnetFolder => Existing(Path.Combine(Root, WordnetId));

    public static string WordnetF32 => Existing(Path.Combine(WordnetFolder, "wordnet-chat-1m.F32.gguf"));

    public static string WordnetQ8 => Existing(Path.Combine(WordnetFolder, "wordnet-chat-1m.Q8_0.gguf"));

    /// <summary>A one-block Llama with random weights and Llama-2's vocabulary: long, deterministic gibberish that rarely ends.</summary>
    public static string TinyRandom => Existing(Path.Combine(Root, "gguf", "llama-2-tiny-random.gguf"));

    public static JsonElement Golden { get; } = JsonDocument.Parse(File.ReadAllBytes(Existing(Path.Combine(WordnetFolder, "golden.json")))).RootElement;

    /// <summary>The engine's settings for tests: one thread, several sequences, prefix reuse on.</summary>
    public static LlamaCppEngineOptions Options(Action<LlamaCppEngineOptions>? configure = null)
    {
        var options = new LlamaCppEngineOptions { Threads = 1, MaxSequences = 8, MaxQueuedRequests = 16 };
        configure?.Invoke(options);
        return options;
    }

    public static LlamaChatModel Load(string path, LlamaCppEngineOptions? options = null, string id = WordnetId, string? chatTemplate = null) =>
        LlamaChatModel.Load(new ModelLoadRequest(id, path, ModelKind.Chat, chatTemplate), options ?? Options(), NullLogger.Instance);

    public static int[] Ids(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];

    public static List<ChatMessage> Messages(JsonElement golden) =>
        [.. golden.GetProperty("messages").EnumerateArray().Select(m => new ChatMessage(new ChatRole(m.GetProperty("role").GetString()!), m.GetProperty("content").GetString()))];

    public static ChatOptions Greedy(int? maxTokens = null, bool raw = false)
    {
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = maxTokens };
        if (raw)
        {
            options.AdditionalProperties = new() { [EngineChatOptions.RawPrompt] = true };
        }

        return options;
    }

    /// <summary>A golden case's messages and options: chat cases through the template, raw ones as they are.</summary>
    public static (List<ChatMessage> Messages, ChatOptions Options) Case(JsonElement golden, int? maxTokens = null) =>
        golden.GetProperty("kind").GetString() == "chat"
            ? (Messages(golden), Greedy(maxTokens))
            : ([new ChatMessage(ChatRole.User, golden.GetProperty("prompt").GetString())], Greedy(maxTokens, raw: true));

    /// <summary>Every update's text of a streamed answer, and how it ended.</summary>
    public static async Task<(string Text, ChatFinishReason? Finish)> Collect(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var response = await updates.ToChatResponseAsync();
        return (response.Text, response.FinishReason);
    }

    private static string Existing(string path) =>
        File.Exists(path) || Directory.Exists(path) ? path : throw new FileNotFoundException($"Test model {path} is missing.");
}
