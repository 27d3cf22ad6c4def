using System.Text.Json;
using System.Text.Json.Nodes;
using Inference.Serving.Requests;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.Anthropic;

/// <summary>
/// Anthropic's request as the serving core's: <c>system</c> and turns of text, tool_use, tool_result and thinking
/// blocks as MEAI messages; tools, <c>tool_choice</c> and <c>thinking</c> in OpenAI's shapes for the shared checks.
/// </summary>
internal static class AnthropicMessages
{
    /// <summary>The conversation, or the error naming the field at fault.</summary>
    public static InferenceError? Read(MessagesRequest request, out List<ChatMessage> messages)
    {
        messages = [];
        switch (request.System)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                break;
            case { ValueKind: JsonValueKind.String } s:
                if (s.GetString() is { Length: > 0 } system)
                {
                    messages.Add(new ChatMessage(ChatRole.System, system));
                }

                break;
            case { ValueKind: JsonValueKind.Array } blocks:
                if (Text(blocks, "system", out var text) is { } systemError)
                {
                    return systemError;
                }

                messages.Add(new ChatMessage(ChatRole.System, text));
                break;
            default:
                return InferenceError.Invalid("system must be a string or an array of text blocks.", "system");
        }

        if (request.Messages is not { Count: > 0 } turns)
        {
            return InferenceError.Invalid("messages: at least one message is required.", "messages");
        }

        for (var i = 0; i < turns.Count; i++)
        {
            var param = $"messages.{i}";
            if (turns[i] is not { Role: "user" or "assistant" } turn)
            {
                return InferenceError.Invalid($"{param}.role must be \"user\" or \"assistant\".", $"{param}.role");
            }

            if (Turn(turn, param, messages) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static InferenceError? Turn(AnthropicMessage turn, string param, List<ChatMessage> messages)
    {
        var role = turn.Role == "user" ? ChatRole.User : ChatRole.Assistant;
        switch (turn.Content)
        {
            case { ValueKind: JsonValueKind.String } s:
                messages.Add(new ChatMessage(role, s.GetString()));
                return null;
            case { ValueKind: JsonValueKind.Array } blocks:
                var contents = new List<AIContent>();
                var results = new List<AIContent>();
                var index = 0;
                foreach (var block in blocks.EnumerateArray())
                {
                    var at = $"{param}.content.{index++}";
                    var type = block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type", out var t) ? t.GetString() : null;
                    switch (type)
                    {
                        case "text" when block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String:
                            contents.Add(new TextContent(text.GetString()));
                            break;
                        case "thinking" when role == ChatRole.Assistant && block.TryGetProperty("thinking", out var thinking) && thinking.ValueKind == JsonValueKind.String:
                            contents.Add(new TextReasoningContent(thinking.GetString()));
                            break;
                        case "redacted_thinking" when role == ChatRole.Assistant:
                            break;
                        case "tool_use" when role == ChatRole.Assistant:
                            if (!block.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || !block.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                            {
                                return InferenceError.Invalid($"{at}: a tool_use block needs an id and a name.", at);
                            }

                            var input = block.TryGetProperty("input", out var given) ? given : default;
                            if (input.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
                            {
                                return InferenceError.Invalid($"{at}.input must be an object.", $"{at}.input");
                            }

                            contents.Add(new FunctionCallContent(id.GetString()!, name.GetString()!, Inference.Engines.Structured.ToolCallSyntax.Arguments(input)));
                            break;
                        case "tool_result" when role == ChatRole.User:
                            if (!block.TryGetProperty("tool_use_id", out var useId) || useId.ValueKind != JsonValueKind.String)
                            {
                                return InferenceError.Invalid($"{at}: a tool_result block needs its tool_use_id.", at);
                            }

                            var result = "";
                            if (block.TryGetProperty("content", out var content))
                            {
                                if (content.ValueKind == JsonValueKind.String)
                                {
                                    result = content.GetString()!;
                                }
                                else if (content.ValueKind == JsonValueKind.Array && Text(content, $"{at}.content", out var joined) is null)
                                {
                                    result = joined;
                                }
                                else
                                {
                                    return InferenceError.Invalid($"{at}.content must be a string or text blocks.", $"{at}.content");
                                }
                            }

                            if (block.TryGetProperty("is_error", out var isError) && isError.ValueKind == JsonValueKind.True)
                            {
                                result = "Error: " + result;
                            }

                            results.Add(new FunctionResultContent(useId.GetString()!, result));
                            break;
                        default:
                            return InferenceError.Invalid(
                                $"{at}: a {turn.Role} message cannot hold a {(type is null ? "block without a type" : $"'{type}' block")} here (text, {(role == ChatRole.User ? "tool_result" : "thinking and tool_use")} are taken).", at);
                    }
                }

                // Tool results answer the calls before them: they come before the user's own text.
                foreach (var result in results)
                {
                    messages.Add(new ChatMessage(ChatRole.Tool, [result]));
                }

                if (contents.Count > 0 || results.Count == 0)
                {
                    messages.Add(new ChatMessage(role, contents));
                }

                return null;
            default:
                return InferenceError.Invalid($"{param}.content must be a string or an array of content blocks.", $"{param}.content");
        }
    }

    private static InferenceError? Text(JsonElement blocks, string param, out string text)
    {
        var builder = new System.Text.StringBuilder();
        text = "";
        foreach (var block in blocks.EnumerateArray())
        {
            if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("type", out var type) || type.GetString() != "text"
                || !block.TryGetProperty("text", out var part) || part.ValueKind != JsonValueKind.String)
            {
                return InferenceError.Invalid($"{param} may only hold text blocks ({{\"type\": \"text\", \"text\": ...}}).", param);
            }

            builder.Append(builder.Length > 0 ? "\n" : "").Append(part.GetString());
        }

        text = builder.ToString();
        return null;
    }

    /// <summary>The tools in OpenAI's shape (for the shared checks), or the error: hosted tools cannot run here.</summary>
    public static InferenceError? Tools(List<AnthropicTool?>? tools, AnthropicToolChoice? choice, out JsonElement? openAITools, out JsonElement? openAIChoice)
    {
        openAITools = null;
        openAIChoice = null;
        if (tools is { Count: > 0 })
        {
            var array = new JsonArray();
            for (var i = 0; i < tools.Count; i++)
            {
                var tool = tools[i];
                if (tool?.Type is { } hosted && hosted != "custom")
                {
                    return InferenceError.Invalid($"tools.{i}: the '{hosted}' tool runs on Anthropic's servers; this platform runs function tools only (name, description, input_schema).", $"tools.{i}.type");
                }

                if (tool?.Name is not { Length: > 0 } name || tool.InputSchema is not { ValueKind: JsonValueKind.Object } schema)
                {
                    return InferenceError.Invalid($"tools.{i} needs a name and an input_schema object.", $"tools.{i}");
                }

                var function = new JsonObject { ["name"] = name, ["parameters"] = JsonNode.Parse(schema.GetRawText()) };
                if (tool.Description is { } description)
                {
                    function["description"] = description;
                }

                array.Add(new JsonObject { ["type"] = "function", ["function"] = function });
            }

            openAITools = JsonSerializer.SerializeToElement(array);
        }

        switch (choice?.Type)
        {
            case null or "auto":
                openAIChoice = choice is null ? null : JsonSerializer.SerializeToElement("auto");
                return null;
            case "any":
                openAIChoice = JsonSerializer.SerializeToElement("required");
                return null;
            case "none":
                openAIChoice = JsonSerializer.SerializeToElement("none");
                return null;
            case "tool" when choice.Name is { Length: > 0 } name:
                openAIChoice = JsonSerializer.SerializeToElement(new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name } });
                return null;
            default:
                return InferenceError.Invalid("tool_choice.type must be auto, any, none, or tool with a name.", "tool_choice", "invalid_value");
        }
    }

    /// <summary>The stop reason Anthropic names: end_turn, max_tokens, stop_sequence or tool_use.</summary>
    public static string StopReason(ChatFinishReason? reason, string? stopSequence) => reason == ChatFinishReason.ToolCalls ? "tool_use"
        : reason == ChatFinishReason.Length ? "max_tokens"
        : stopSequence is not null ? "stop_sequence"
        : "end_turn";
}
