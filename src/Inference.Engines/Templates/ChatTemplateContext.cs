using System.Text.Json;
using Inference.Engines.Structured;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Templates;

/// <summary>
/// The variables a chat template renders with, as transformers and vLLM give them: <c>messages</c> in the Hugging Face
/// shape, <c>tools</c> (None without tools), <c>add_generation_prompt</c>, the special tokens, and the request's own.
/// </summary>
public static class ChatTemplateContext
{
    /// <summary>Arguments as OpenAI writes them: compact JSON.</summary>
    private static readonly JsonSerializerOptions CompactJson = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    /// <param name="argumentsAsText">Calls' arguments as JSON text rather than objects, for templates that concatenate them.</param>
    public static Dictionary<string, object?> Variables(
        IReadOnlyList<ChatMessage> messages, IReadOnlyList<AIFunctionDeclaration> tools, ChatOptions? options, IReadOnlyDictionary<string, string> specialTokens,
        bool argumentsAsText = false)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(specialTokens);
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, text) in specialTokens)
        {
            variables[name] = text;
        }

        variables["messages"] = Messages(messages, argumentsAsText);
        variables["tools"] = tools.Count == 0 ? null : tools.Select(Tool).ToList();
        variables["add_generation_prompt"] = ChatPrompt.Flag(options, EngineChatOptions.AddGenerationPrompt, true);

        // Reasoning asked for: an effort reaches templates that read one (GPT-OSS), and none turns thinking off where
        // templates read enable_thinking (Qwen 3).
        if (options?.Reasoning?.Effort is { } effort)
        {
            if (effort == ReasoningEffort.None)
            {
                variables["enable_thinking"] = false;
            }
            else
            {
                variables["enable_thinking"] = true;
                variables["reasoning_effort"] = effort switch
                {
                    ReasoningEffort.Low => "low",
                    ReasoningEffort.High or ReasoningEffort.ExtraHigh => "high",
                    _ => "medium",
                };
            }
        }

        // The request's own variables come last: chat_template_kwargs decide over the fields above, as in vLLM.
        switch (options?.AdditionalProperties?.TryGetValue(EngineChatOptions.TemplateVariables, out var extra) == true ? extra : null)
        {
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                foreach (var (name, value) in pairs)
                {
                    variables[name] = value;
                }

                break;
            case JsonElement { ValueKind: JsonValueKind.Object } element:
                foreach (var property in element.EnumerateObject())
                {
                    variables[property.Name] = property.Value;
                }

                break;
        }

        return variables;
    }

    /// <summary>The conversation as Hugging Face messages: one per result of a tool message, calls with the arguments as objects.</summary>
    public static List<object?> Messages(IReadOnlyList<ChatMessage> messages, bool argumentsAsText = false)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var list = new List<object?>(messages.Count);
        foreach (var message in messages)
        {
            var results = message.Contents.OfType<FunctionResultContent>().ToList();
            if (results.Count > 0)
            {
                foreach (var result in results)
                {
                    var tool = new Dictionary<string, object?>(StringComparer.Ordinal)
                    {
                        ["role"] = "tool",
                        ["tool_call_id"] = result.CallId,
                        ["content"] = ToolPrompt.ResultText(result.Result),
                    };
                    if (names.TryGetValue(result.CallId, out var name))
                    {
                        tool["name"] = name;
                    }

                    list.Add(tool);
                }

                continue;
            }

            var entry = new Dictionary<string, object?>(StringComparer.Ordinal) { ["role"] = message.Role.Value };
            var text = string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text));
            var calls = message.Contents.OfType<FunctionCallContent>().ToList();
            // Empty rather than None beside calls: templates test content with 'in' and string tests (vLLM does the same).
            entry["content"] = text;
            var reasoning = string.Concat(message.Contents.OfType<TextReasoningContent>().Select(r => r.Text));
            if (reasoning.Length > 0)
            {
                // Qwen 3 and DeepSeek read reasoning_content; GPT-OSS reads thinking.
                entry["reasoning_content"] = reasoning;
                entry["thinking"] = reasoning;
            }

            if (calls.Count > 0)
            {
                entry["tool_calls"] = calls.Select(call =>
                {
                    names[call.CallId] = call.Name;
                    return (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
                    {
                        ["id"] = call.CallId,
                        ["type"] = "function",
                        ["function"] = new Dictionary<string, object?>(StringComparer.Ordinal)
                        {
                            ["name"] = call.Name,
                            ["arguments"] = argumentsAsText
                                ? JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), CompactJson)
                                : call.Arguments is null ? new Dictionary<string, object?>() : new Dictionary<string, object?>(call.Arguments),
                        },
                    };
                }).ToList();
            }

            list.Add(entry);
        }

        return list;
    }

    private static object? Tool(AIFunctionDeclaration tool)
    {
        var function = new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = tool.Name };
        if (!string.IsNullOrEmpty(tool.Description))
        {
            function["description"] = tool.Description;
        }

        function["parameters"] = tool.JsonSchema.ValueKind == JsonValueKind.Object && tool.JsonSchema.EnumerateObject().Any()
            ? tool.JsonSchema
            : JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement;
        return new Dictionary<string, object?>(StringComparer.Ordinal) { ["type"] = "function", ["function"] = function };
    }
}
