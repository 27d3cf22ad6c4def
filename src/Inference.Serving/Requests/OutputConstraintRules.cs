using System.Text.Json;
using Inference.Engines.Grammars;
using Inference.Engines.Structured;
using Inference.Serving.Catalog;
using Inference.Serving.Grammars;
using Microsoft.Extensions.AI;

namespace Inference.Serving.Requests;

/// <summary>
/// Checks what a request asks of its output (a grammar, a JSON response format, tools and the tool mode) before any
/// model runs: a stored grammar's name resolved to its text, every grammar and schema compiled (once: engines reuse
/// the compilation, see <see cref="GrammarCache"/>), an unsupported schema keyword named, a constraint the model's
/// provider cannot enforce refused, and constraints that cannot hold together refused. Nothing is dropped: what cannot
/// be honoured is an error.
/// </summary>
public static class OutputConstraintRules
{
    public static async Task<InferenceError?> ApplyAsync(ChatOptions options, ServedModel model, IGrammarLibrary? grammars, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        if (options.AdditionalProperties?.TryGetValue(EngineChatOptions.Grammar, out string? grammar) == true && grammar is not null)
        {
            var (text, error) = await GrammarAsync(grammar, model, grammars, cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            options.AdditionalProperties[EngineChatOptions.Grammar] = text;
        }

        return ResponseFormat(options, model) ?? Tools(options, model)
            ?? (StructuredOutput.Conflict(options) is { } conflict ? InferenceError.Invalid(conflict.Message, conflict.Param, conflict.Code) : null);
    }

    /// <summary>The grammar's canonical GBNF: inline text, or a stored grammar's by name.</summary>
    private static async Task<(string? Text, InferenceError? Error)> GrammarAsync(string grammar, ServedModel model, IGrammarLibrary? grammars, CancellationToken cancellationToken)
    {
        if (!model.Constraints.HasFlag(OutputConstraints.Grammar))
        {
            return (null, InferenceError.Invalid($"Model '{model.Id}' is served by {model.Provider}, which cannot enforce a grammar.", "grammar", "unsupported_parameter"));
        }

        var text = grammar;
        if (!grammar.Contains("::=", StringComparison.Ordinal))
        {
            text = grammars is null ? null : await grammars.FindAsync(grammar, cancellationToken).ConfigureAwait(false);
            if (text is null)
            {
                return (null, InferenceError.Invalid($"grammar '{grammar}' is neither GBNF (no '::=') nor the name of a stored grammar (see GET /grammars).", "grammar", "grammar_not_found"));
            }
        }

        try
        {
            return (GrammarCache.Parse(text).Text, null);
        }
        catch (GrammarSyntaxException ex)
        {
            return (null, InferenceError.Invalid($"The grammar does not parse: {ex.Message}.", "grammar", "invalid_grammar"));
        }
    }

    private static InferenceError? ResponseFormat(ChatOptions options, ServedModel model)
    {
        if (options.ResponseFormat is not ChatResponseFormatJson format)
        {
            return null;
        }

        if (format.Schema is { } schema && SchemaError(schema, "response_format.json_schema.schema") is { } schemaError)
        {
            return schemaError;
        }

        return model.Constraints.HasFlag(OutputConstraints.JsonSchema) ? null
            : InferenceError.Invalid($"Model '{model.Id}' is served by {model.Provider}, which cannot enforce a JSON response format.", "response_format", "unsupported_parameter");
    }

    private static InferenceError? Tools(ChatOptions options, ServedModel model)
    {
        if (options.Tools is not { Count: > 0 } tools)
        {
            return null;
        }

        for (var i = 0; i < tools.Count; i++)
        {
            if (tools[i] is AIFunctionDeclaration { JsonSchema: { ValueKind: JsonValueKind.Object } parameters } && parameters.EnumerateObject().Any()
                && SchemaError(parameters, $"tools[{i}].function.parameters") is { } schemaError)
            {
                return schemaError;
            }
        }

        return model.Constraints.HasFlag(OutputConstraints.Tools) ? null
            : InferenceError.Invalid($"Model '{model.Id}' is served by {model.Provider}, which cannot call tools.", "tools", "unsupported_parameter");
    }

    private static InferenceError? SchemaError(JsonElement schema, string param)
    {
        try
        {
            _ = GrammarCache.SchemaGbnf(schema);
            return null;
        }
        catch (UnsupportedSchemaException ex)
        {
            return InferenceError.Invalid(ex.Message, param, "unsupported_schema");
        }
    }
}
