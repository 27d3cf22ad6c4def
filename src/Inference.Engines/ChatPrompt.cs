using Microsoft.Extensions.AI;

namespace Inference.Engines;

/// <summary>How every local engine reads a conversation and the options beyond MEAI's own.</summary>
public static class ChatPrompt
{
    /// <summary>True when the request asks for its text to be sent as it is, with no chat template (raw mode).</summary>
    public static bool IsRaw(ChatOptions? options) => Flag(options, EngineChatOptions.RawPrompt);

    /// <summary>The whole prompt of a raw request: the messages' text, joined.</summary>
    public static string RawText(IEnumerable<ChatMessage> messages) => string.Concat(messages.Select(m => m.Text));

    /// <summary>The conversation as (role, text) turns for a template; an empty one is an <see cref="InvalidPromptException"/>.</summary>
    public static List<(string Role, string Content)> Turns(IEnumerable<ChatMessage> messages)
    {
        List<(string Role, string Content)> turns = [.. messages.Select(m => (m.Role.Value, m.Text))];
        return turns.Count > 0 ? turns : throw new InvalidPromptException("At least one message is needed.");
    }

    /// <summary>The error for a chat request to a model that has no chat template.</summary>
    public static InvalidPromptException NoTemplate(string model) => new(
        $"Model '{model}' has no chat template: add prompt_template.json to its folder, configure one, or send a raw prompt to /v1/completions.");

    /// <summary>A flag of <see cref="EngineChatOptions"/>: true only when the request set it true.</summary>
    public static bool Flag(ChatOptions? options, string key) =>
        options?.AdditionalProperties?.TryGetValue(key, out bool value) == true && value;

    /// <summary>A flag of <see cref="EngineChatOptions"/>, or <paramref name="fallback"/> when the request did not set it.</summary>
    public static bool Flag(ChatOptions? options, string key, bool fallback) =>
        options?.AdditionalProperties?.TryGetValue(key, out bool value) == true ? value : fallback;

    /// <summary>An integer option of <see cref="EngineChatOptions"/>, when the request set it.</summary>
    public static int? Integer(ChatOptions? options, string key) =>
        options?.AdditionalProperties?.TryGetValue(key, out int value) == true ? value : null;

    /// <summary>A float option of <see cref="EngineChatOptions"/>, when the request set it.</summary>
    public static float? Float(ChatOptions? options, string key) =>
        options?.AdditionalProperties?.TryGetValue(key, out float value) == true ? value : null;
}
