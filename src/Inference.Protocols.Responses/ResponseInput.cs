using System.Text;
using System.Text.Json;
using Inference.Engines.Structured;
using Inference.Serving.Requests;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.Responses;

/// <summary>
/// A request's <c>input</c> as items (each checked, each given an id), and items as the serving core's conversation:
/// messages as MEAI messages, a model's reasoning, calls and text of one turn as one assistant message, and each
/// function output as a tool message.
/// </summary>
internal static class ResponseInput
{
    /// <summary>The input's items, or the error naming the field at fault.</summary>
    public static InferenceError? Read(JsonElement? input, out List<ResponseItem> items)
    {
        items = [];
        switch (input)
        {
            case { ValueKind: JsonValueKind.String } text:
                items.Add(ResponseItem.Message(Ids.Message(), "user", [ContentPart.InputText(text.GetString()!)]));
                return null;
            case { ValueKind: JsonValueKind.Array } array:
                var index = 0;
                foreach (var element in array.EnumerateArray())
                {
                    var (item, error) = Item(element, $"input[{index++}]");
                    if (error is not null)
                    {
                        return error;
                    }

                    items.Add(item!);
                }

                return items.Count == 0 ? InferenceError.Invalid("input must hold at least one item.", "input") : null;
            case null or { ValueKind: JsonValueKind.Null }:
                return InferenceError.Invalid("Missing required parameter: 'input'.", "input", "missing_required_parameter");
            default:
                return InferenceError.Invalid("input must be a string or an array of input items.", "input");
        }
    }

    private static (ResponseItem? Item, InferenceError? Error) Item(JsonElement element, string param)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return (null, InferenceError.Invalid($"{param} must be an object.", param));
        }

        var type = String(element, "type");
        var id = String(element, "id");
        switch (type)
        {
            case null or "message":
                return Message(element, param, id);
            case "function_call":
                if (String(element, "call_id") is not { Length: > 0 } callId || String(element, "name") is not { Length: > 0 } name)
                {
                    return (null, InferenceError.Invalid($"{param}: a function_call item needs a call_id and a name.", param));
                }

                var arguments = String(element, "arguments") ?? "{}";
                if (!IsObject(arguments))
                {
                    return (null, InferenceError.Invalid($"{param}.arguments must be a JSON object's text.", $"{param}.arguments"));
                }

                return (ResponseItem.FunctionCall(id ?? Ids.FunctionCall(), callId, name, arguments), null);
            case "function_call_output":
                if (String(element, "call_id") is not { Length: > 0 } outputCallId)
                {
                    return (null, InferenceError.Invalid($"{param}: a function_call_output item needs the call_id it answers.", $"{param}.call_id"));
                }

                var output = element.TryGetProperty("output", out var given) ? given : default;
                if (output.ValueKind == JsonValueKind.String)
                {
                    return (ResponseItem.FunctionCallOutput(id ?? Ids.FunctionCallOutput(), outputCallId, output.GetString()!), null);
                }

                if (output.ValueKind == JsonValueKind.Array && Text(output, $"{param}.output", ["input_text", "output_text"], out var joined) is null)
                {
                    return (ResponseItem.FunctionCallOutput(id ?? Ids.FunctionCallOutput(), outputCallId, joined), null);
                }

                return (null, InferenceError.Invalid($"{param}.output must be a string or an array of input_text parts.", $"{param}.output"));
            case "reasoning":
                var summary = new StringBuilder();
                foreach (var (field, part) in new[] { ("summary", "summary_text"), ("content", "reasoning_text") })
                {
                    if (element.TryGetProperty(field, out var parts) && parts.ValueKind != JsonValueKind.Null)
                    {
                        if (parts.ValueKind != JsonValueKind.Array || Text(parts, $"{param}.{field}", [part], out var text) is { } partsError)
                        {
                            return (null, InferenceError.Invalid($"{param}.{field} must be an array of {part} parts.", $"{param}.{field}"));
                        }

                        if (summary.Length == 0)
                        {
                            summary.Append(text);
                        }
                    }
                }

                return (ResponseItem.Reasoning(id ?? Ids.Reasoning(), summary.Length > 0 ? [ContentPart.SummaryText(summary.ToString())] : []), null);
            case "item_reference":
                return (null, InferenceError.Invalid(
                    $"{param}: item_reference is not supported here; send the item itself, or continue a stored response with previous_response_id.", $"{param}.type", "invalid_value"));
            default:
                return (null, InferenceError.Invalid(
                    $"{param}: '{type}' items are not supported here; input takes message, function_call, function_call_output and reasoning items.", $"{param}.type", "invalid_value"));
        }
    }

    private static (ResponseItem? Item, InferenceError? Error) Message(JsonElement element, string param, string? id)
    {
        var role = String(element, "role");
        if (role is not ("user" or "assistant" or "system" or "developer"))
        {
            return (null, InferenceError.Invalid(
                role is null ? $"{param} has no role." : $"{param}.role '{role}' is not one of: user, assistant, system, developer.", $"{param}.role", "invalid_value"));
        }

        var content = element.TryGetProperty("content", out var given) ? given : default;
        string text;
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                text = content.GetString()!;
                break;
            case JsonValueKind.Array:
                if (Text(content, $"{param}.content", ["input_text", "output_text", "text", "refusal"], out text) is { } partsError)
                {
                    return (null, partsError);
                }

                break;
            default:
                return (null, InferenceError.Invalid($"{param}.content must be a string or an array of content parts.", $"{param}.content"));
        }

        var part = role == "assistant" ? ContentPart.OutputText(text) : ContentPart.InputText(text);
        return (ResponseItem.Message(id ?? Ids.Message(), role, [part]), null);
    }

    /// <summary>The text of an array of parts of the given types, joined; images, files and audio are refused by name.</summary>
    private static InferenceError? Text(JsonElement parts, string param, string[] types, out string text)
    {
        var builder = new StringBuilder();
        text = "";
        var index = 0;
        foreach (var part in parts.EnumerateArray())
        {
            var at = $"{param}[{index++}]";
            var type = part.ValueKind == JsonValueKind.Object ? String(part, "type") : null;
            if (type is null || !types.Contains(type))
            {
                return InferenceError.Invalid(
                    type is "input_image" or "input_file" or "input_audio"
                        ? $"{at}: '{type}' parts cannot be read by the models served here, which read text."
                        : $"{at} must be one of: {string.Join(", ", types)}.",
                    $"{at}.type",
                    "invalid_value");
            }

            var field = type == "refusal" ? "refusal" : "text";
            if (String(part, field) is not { } value)
            {
                return InferenceError.Invalid($"{at}.{field} must be a string.", $"{at}.{field}");
            }

            builder.Append(value);
        }

        text = builder.ToString();
        return null;
    }

    /// <summary>
    /// The items as the serving core's conversation. A model's turn (its reasoning, text and calls, in whichever items
    /// they came) is one assistant message, as chat templates expect; each function output is a tool message.
    /// </summary>
    public static void AddTo(List<ChatMessage> messages, IEnumerable<ResponseItem> items)
    {
        ChatMessage? turn = null;
        foreach (var item in items)
        {
            switch (item.Type)
            {
                case "message" when item.Role == "assistant":
                    Turn().Contents.Add(new TextContent(TextOf(item.Content)));
                    break;
                case "message":
                    turn = null;
                    messages.Add(new ChatMessage(item.Role == "user" ? ChatRole.User : ChatRole.System, TextOf(item.Content)));
                    break;
                case "function_call":
                    Turn().Contents.Add(new FunctionCallContent(item.CallId!, item.Name!, Arguments(item.Arguments)));
                    break;
                case "function_call_output":
                    turn = null;
                    messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(item.CallId!, item.Output)]));
                    break;
                case "reasoning" when TextOf(item.Summary) is { Length: > 0 } reasoning:
                    Turn().Contents.Add(new TextReasoningContent(reasoning));
                    break;
            }
        }

        ChatMessage Turn()
        {
            if (turn is null)
            {
                turn = new ChatMessage(ChatRole.Assistant, []);
                messages.Add(turn);
            }

            return turn;
        }
    }

    private static string TextOf(IReadOnlyList<ContentPart>? parts) => parts is null ? "" : string.Concat(parts.Select(p => p.Text));

    private static Dictionary<string, object?> Arguments(string? json)
    {
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        return ToolCallSyntax.Arguments(document.RootElement);
    }

    private static bool IsObject(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
