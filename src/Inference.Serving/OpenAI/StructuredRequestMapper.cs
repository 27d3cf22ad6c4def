using System.Text.Json;
using System.Text.RegularExpressions;
using Inference.Engines.Grammars;
using Inference.Engines.Structured;
using Inference.Serving.Catalog;
using Inference.Serving.Grammars;
using Inference.Serving.OpenAI.Contracts;
using Microsoft.Extensions.AI;

namespace Inference.Serving.OpenAI;

/// <summary>
/// Reads what a request asks of its output (grammar, response_format, tools, tool_choice, parallel_tool_calls) into
/// <see cref="ChatOptions"/>, checked before any model runs: a stored grammar's name resolved to its text, every
/// grammar parsed, every schema compiled (an unsupported keyword is named), and a constraint the model's provider
/// cannot enforce refused. Nothing is dropped: what cannot be honoured is a 400.
/// </summary>
internal static partial class StructuredRequestMapper
{
    public static async Task<OpenAIError?> ApplyAsync(
        SamplingRequest request, ChatCompletionRequest? chat, ServedModel model, ChatOptions options, IGrammarLibrary? grammars, CancellationToken cancellationToken)
    {
        if (request.Grammar is { } grammar)
        {
            var (text, error) = await GrammarAsync(grammar, model, grammars, cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            (options.AdditionalProperties ??= [])[EngineChatOptions.Grammar] = text;
        }

        if (chat is null)
        {
            return null;
        }

        return ResponseFormat(chat.ResponseFormat, model, options) ?? Tools(chat, model, options)
            ?? (StructuredOutput.Conflict(options) is { } conflict ? Invalid(conflict.Message, conflict.Param, conflict.Code) : null);
    }

    /// <summary>The grammar's canonical GBNF: inline text, or a stored grammar's by name.</summary>
    private static async Task<(string? Text, OpenAIError? Error)> GrammarAsync(string grammar, ServedModel model, IGrammarLibrary? grammars, CancellationToken cancellationToken)
    {
        if (!model.Constraints.HasFlag(OutputConstraints.Grammar))
        {
            return (null, Invalid($"Model '{model.Id}' is served by {model.Provider}, which cannot enforce a grammar.", "grammar", "unsupported_parameter"));
        }

        var text = grammar;
        if (!grammar.Contains("::=", StringComparison.Ordinal))
        {
            text = grammars is null ? null : await grammars.FindAsync(grammar, cancellationToken).ConfigureAwait(false);
            if (text is null)
            {
                return (null, Invalid($"grammar '{grammar}' is neither GBNF (no '::=') nor the name of a stored grammar (see GET /grammars).", "grammar", "grammar_not_found"));
            }
        }

        try
        {
            return (GbnfGrammar.Parse(text).Text, null);
        }
        catch (GrammarSyntaxException ex)
        {
            return (null, Invalid($"The grammar does not parse: {ex.Message}.", "grammar", "invalid_grammar"));
        }
    }

    private static OpenAIError? ResponseFormat(JsonElement? format, ServedModel model, ChatOptions options)
    {
        if (format is not { ValueKind: JsonValueKind.Object } value)
        {
            return format is null or { ValueKind: JsonValueKind.Null } ? null : Invalid("response_format must be an object.", "response_format");
        }

        var type = value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "text":
                return null;
            case "json_object":
                options.ResponseFormat = ChatResponseFormat.Json;
                break;
            case "json_schema":
                if (!value.TryGetProperty("json_schema", out var spec) || spec.ValueKind != JsonValueKind.Object
                    || !spec.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                {
                    return Invalid("response_format json_schema needs json_schema.schema, a JSON schema object.", "response_format.json_schema.schema");
                }

                if (SchemaError(schema, "response_format.json_schema.schema") is { } schemaError)
                {
                    return schemaError;
                }

                options.ResponseFormat = ChatResponseFormat.ForJsonSchema(
                    schema.Clone(),
                    spec.TryGetProperty("name", out var name) ? name.GetString() : null,
                    spec.TryGetProperty("description", out var description) ? description.GetString() : null);
                break;
            default:
                return Invalid($"response_format type '{type}' is not supported; use text, json_object or json_schema.", "response_format.type", "invalid_value");
        }

        return model.Constraints.HasFlag(OutputConstraints.JsonSchema) ? null
            : Invalid($"Model '{model.Id}' is served by {model.Provider}, which cannot enforce a JSON response format.", "response_format", "unsupported_parameter");
    }

    private static OpenAIError? Tools(ChatCompletionRequest chat, ServedModel model, ChatOptions options)
    {
        var declared = new List<AIFunctionDeclaration>();
        if (chat.Tools is { ValueKind: JsonValueKind.Array } tools)
        {
            var i = 0;
            foreach (var tool in tools.EnumerateArray())
            {
                var param = $"tools[{i++}]";
                if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("type", out var type) || type.GetString() != "function"
                    || !tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
                {
                    return Invalid($"{param} must be {{\"type\":\"function\",\"function\":{{...}}}}: only function tools are supported.", param);
                }

                var name = function.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
                if (!FunctionName().IsMatch(name))
                {
                    return Invalid($"{param}.function.name must be 1 to 64 letters, digits, '_' or '-'; got '{name}'.", $"{param}.function.name", "invalid_value");
                }

                if (declared.Any(d => d.Name == name))
                {
                    return Invalid($"{param}.function.name '{name}' is declared twice.", $"{param}.function.name");
                }

                var parameters = function.TryGetProperty("parameters", out var p) ? p : default;
                if (parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
                {
                    return Invalid($"{param}.function.parameters must be a JSON schema object.", $"{param}.function.parameters");
                }

                if (parameters.ValueKind == JsonValueKind.Object && SchemaError(parameters, $"{param}.function.parameters") is { } schemaError)
                {
                    return schemaError;
                }

                var description = function.TryGetProperty("description", out var d2) && d2.ValueKind == JsonValueKind.String ? d2.GetString() : null;
                declared.Add(AIFunctionFactory.CreateDeclaration(name, description, parameters.ValueKind == JsonValueKind.Object ? parameters.Clone() : default));
            }
        }
        else if (chat.Tools is { ValueKind: not JsonValueKind.Null })
        {
            return Invalid("tools must be an array.", "tools");
        }

        switch (chat.ToolChoice)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                break;
            case { ValueKind: JsonValueKind.String } choice:
                options.ToolMode = choice.GetString() switch
                {
                    "auto" => ChatToolMode.Auto,
                    "none" => ChatToolMode.None,
                    "required" => ChatToolMode.RequireAny,
                    var other => null,
                };
                if (options.ToolMode is null)
                {
                    return Invalid($"tool_choice '{choice.GetString()}' is not supported; use auto, none, required or a named function.", "tool_choice", "invalid_value");
                }

                break;
            case { ValueKind: JsonValueKind.Object } named when named.TryGetProperty("function", out var function)
                && function.TryGetProperty("name", out var fname) && fname.ValueKind == JsonValueKind.String:
                options.ToolMode = ChatToolMode.RequireSpecific(fname.GetString()!);
                break;
            default:
                return Invalid("tool_choice must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\":...}}.", "tool_choice");
        }

        options.AllowMultipleToolCalls = chat.ParallelToolCalls;
        if (declared.Count == 0)
        {
            return null;
        }

        options.Tools = [.. declared];
        return model.Constraints.HasFlag(OutputConstraints.Tools) ? null
            : Invalid($"Model '{model.Id}' is served by {model.Provider}, which cannot call tools.", "tools", "unsupported_parameter");
    }

    private static OpenAIError? SchemaError(JsonElement schema, string param)
    {
        try
        {
            _ = JsonSchemaGrammar.ToGbnf(schema);
            return null;
        }
        catch (UnsupportedSchemaException ex)
        {
            return Invalid(ex.Message, param, "unsupported_schema");
        }
    }

    private static OpenAIError Invalid(string message, string? param = null, string? code = null) => new(message, "invalid_request_error", param, code);

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex FunctionName();
}
