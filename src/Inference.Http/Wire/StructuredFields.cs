using System.Text.Json;
using System.Text.RegularExpressions;
using Inference.Serving.Requests;
using Microsoft.Extensions.AI;

namespace Inference.Http;

/// <summary>
/// Reads what an OpenAI-style body asks of its output (<c>response_format</c>, function <c>tools</c>,
/// <c>tool_choice</c>, <c>parallel_tool_calls</c>; Ollama's tools come in the same shape) into
/// <see cref="ChatOptions"/>, naming the field at fault. Whether the model can honour them is the serving core's check.
/// </summary>
public static partial class StructuredFields
{
    public static InferenceError? Read(OutputFields fields, ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(options);
        options.ResponseFormat = fields.Format;
        return ResponseFormat(fields.ResponseFormat, options) ?? Tools(fields.Tools, options) ?? ToolChoice(fields.ToolChoice, options, fields.ParallelToolCalls);
    }

    private static InferenceError? ResponseFormat(JsonElement? format, ChatOptions options)
    {
        if (format is not { ValueKind: JsonValueKind.Object } value)
        {
            return format is null or { ValueKind: JsonValueKind.Null } ? null : InferenceError.Invalid("response_format must be an object.", "response_format");
        }

        var type = value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "text":
                return null;
            case "json_object":
                options.ResponseFormat = ChatResponseFormat.Json;
                return null;
            case "json_schema":
                if (!value.TryGetProperty("json_schema", out var spec) || spec.ValueKind != JsonValueKind.Object
                    || !spec.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                {
                    return InferenceError.Invalid("response_format json_schema needs json_schema.schema, a JSON schema object.", "response_format.json_schema.schema");
                }

                options.ResponseFormat = ChatResponseFormat.ForJsonSchema(
                    schema.Clone(),
                    spec.TryGetProperty("name", out var name) ? name.GetString() : null,
                    spec.TryGetProperty("description", out var description) ? description.GetString() : null);
                return null;
            default:
                return InferenceError.Invalid($"response_format type '{type}' is not supported; use text, json_object or json_schema.", "response_format.type", "invalid_value");
        }
    }

    private static InferenceError? Tools(JsonElement? tools, ChatOptions options)
    {
        if (tools is null or { ValueKind: JsonValueKind.Null })
        {
            return null;
        }

        if (tools is not { ValueKind: JsonValueKind.Array } array)
        {
            return InferenceError.Invalid("tools must be an array.", "tools");
        }

        var declared = new List<AIFunctionDeclaration>();
        var i = 0;
        foreach (var tool in array.EnumerateArray())
        {
            var param = $"tools[{i++}]";
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "function"
                || !tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
            {
                return InferenceError.Invalid($"{param} must be {{\"type\":\"function\",\"function\":{{...}}}}: only function tools are supported.", param);
            }

            var name = function.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
            if (!FunctionName().IsMatch(name))
            {
                return InferenceError.Invalid($"{param}.function.name must be 1 to 64 letters, digits, '_' or '-'; got '{name}'.", $"{param}.function.name", "invalid_value");
            }

            if (declared.Any(d => d.Name == name))
            {
                return InferenceError.Invalid($"{param}.function.name '{name}' is declared twice.", $"{param}.function.name");
            }

            var parameters = function.TryGetProperty("parameters", out var p) ? p : default;
            if (parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
            {
                return InferenceError.Invalid($"{param}.function.parameters must be a JSON schema object.", $"{param}.function.parameters");
            }

            var description = function.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            declared.Add(AIFunctionFactory.CreateDeclaration(name, description, parameters.ValueKind == JsonValueKind.Object ? parameters.Clone() : default));
        }

        if (declared.Count > 0)
        {
            options.Tools = [.. declared];
        }

        return null;
    }

    private static InferenceError? ToolChoice(JsonElement? choice, ChatOptions options, bool? parallel)
    {
        switch (choice)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                break;
            case { ValueKind: JsonValueKind.String } text:
                options.ToolMode = text.GetString() switch
                {
                    "auto" => ChatToolMode.Auto,
                    "none" => ChatToolMode.None,
                    "required" => ChatToolMode.RequireAny,
                    _ => null,
                };
                if (options.ToolMode is null)
                {
                    return InferenceError.Invalid($"tool_choice '{text.GetString()}' is not supported; use auto, none, required or a named function.", "tool_choice", "invalid_value");
                }

                break;
            case { ValueKind: JsonValueKind.Object } named when named.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object
                && function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String:
                options.ToolMode = ChatToolMode.RequireSpecific(name.GetString()!);
                break;
            default:
                return InferenceError.Invalid("tool_choice must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\":...}}.", "tool_choice");
        }

        options.AllowMultipleToolCalls = parallel;
        return null;
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex FunctionName();
}
