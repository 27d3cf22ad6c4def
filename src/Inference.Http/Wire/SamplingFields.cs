using System.Text.Json;
using Inference.Serving;
using Inference.Serving.Catalog;
using Inference.Serving.Grammars;
using Inference.Serving.Requests;
using Microsoft.Extensions.AI;

namespace Inference.Http;

/// <summary>
/// Reads the decoding and output fields of an OpenAI-style body into <see cref="ChatOptions"/>, checked against the
/// model by the serving core's rules (<see cref="SamplingRules"/>, <see cref="OutputConstraintRules"/>).
/// </summary>
public static class SamplingFields
{
    /// <summary>
    /// The options a body asks for: its decoding fields, and when given its output fields (<c>response_format</c>,
    /// <c>tools</c>, <c>tool_choice</c>, <c>parallel_tool_calls</c>), with a stored grammar's name resolved; or the error.
    /// </summary>
    public static async Task<(ChatOptions Options, InferenceError? Error)> ReadAsync(
        SamplingRequest request, ServedModel model, IGrammarLibrary? grammars, CancellationToken cancellationToken, OutputFields? output = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (parameters, error) = request.ToParameters();
        return await ReadAsync(parameters, error, model, grammars, cancellationToken, output).ConfigureAwait(false);
    }

    /// <inheritdoc cref="ReadAsync(SamplingRequest, ServedModel, IGrammarLibrary?, CancellationToken, OutputFields?)"/>
    public static async Task<(ChatOptions Options, InferenceError? Error)> ReadAsync(
        SamplingParameters parameters, InferenceError? readError, ServedModel model, IGrammarLibrary? grammars, CancellationToken cancellationToken, OutputFields? output = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if ((SamplingRules.Validate(parameters, model, out var options) ?? readError) is { } invalid)
        {
            return (options, invalid);
        }

        if (output is not null && StructuredFields.Read(output, options) is { } outputError)
        {
            return (options, outputError);
        }

        return (options, await OutputConstraintRules.ApplyAsync(options, model, grammars, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>OpenAI's <c>stop</c>: a string or an array of strings.</summary>
    public static (List<string>? Stops, InferenceError? Error) ReadStop(JsonElement? stop) => stop switch
    {
        null or { ValueKind: JsonValueKind.Null } => (null, null),
        { ValueKind: JsonValueKind.String } s => ([s.GetString()!], null),
        { ValueKind: JsonValueKind.Array } a when a.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => ([.. a.EnumerateArray().Select(e => e.GetString()!)], null),
        _ => (null, InferenceError.Invalid("stop must be a string or an array of strings.", "stop")),
    };
}

/// <summary>The output fields of an OpenAI-style body, as sent (or a response format a surface read its own way).</summary>
public sealed record OutputFields(JsonElement? ResponseFormat = null, JsonElement? Tools = null, JsonElement? ToolChoice = null, bool? ParallelToolCalls = null, ChatResponseFormat? Format = null);
