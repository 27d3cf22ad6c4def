using System.Text.Json;
using Inference.Serving.Catalog;
using Inference.Serving.OpenAI.Contracts;
using Microsoft.Extensions.AI;

namespace Inference.Serving.OpenAI;

/// <summary>
/// Validates the decoding parameters of a chat or text completion and turns them into <see cref="ChatOptions"/>;
/// each API surface (OpenAI, Ollama) words the returned error in its own format.
/// </summary>
internal static class SamplingRequestMapper
{
    private const int MaxStopSequences = 4;

    public static OpenAIError? Validate(SamplingRequest request, ServedModel model, out ChatOptions options)
    {
        // No ModelId: the served client knows which model it runs, which may be named differently upstream.
        options = new ChatOptions();
        if (request.N is int n && n != 1)
        {
            return Invalid("Only n = 1 is supported.", "n");
        }

        if (request.RequestedMaxTokens is int max)
        {
            if (max <= 0)
            {
                return Invalid($"max_tokens must be at least 1; got {max}.", "max_tokens", "invalid_value");
            }

            if (model.ContextLength is int context && max >= context)
            {
                return Invalid(
                    $"max_tokens is too large: {max}. This model's maximum context length is {context} tokens, prompt included.", "max_tokens", "invalid_value");
            }

            options.MaxOutputTokens = max;
        }

        var rangeError = OutOfRange(request.Temperature, 0, 2, "temperature") ?? OutOfRange(request.TopP, 0, 1, "top_p") ?? OutOfRange(request.MinP, 0, 1, "min_p")
            ?? OutOfRange(request.FrequencyPenalty, -2, 2, "frequency_penalty") ?? OutOfRange(request.PresencePenalty, -2, 2, "presence_penalty")
            ?? OutOfRange(request.RepetitionPenalty, 0.01, 10, "repetition_penalty") ?? OutOfRange(request.TopK, 0, int.MaxValue, "top_k");
        if (rangeError is not null)
        {
            return rangeError;
        }

        if (ReadStop(request.Stop, out var stops) is { } stopError)
        {
            return stopError;
        }

        options.Temperature = (float?)request.Temperature;
        options.TopP = (float?)request.TopP;
        options.TopK = request.TopK;
        options.FrequencyPenalty = (float?)request.FrequencyPenalty;
        options.PresencePenalty = (float?)request.PresencePenalty;
        options.Seed = request.Seed;
        options.StopSequences = stops;
        if (request.RepetitionPenalty is double repetition)
        {
            (options.AdditionalProperties ??= [])[EngineChatOptions.RepetitionPenalty] = (float)repetition;
        }

        if (request.IgnoreEos == true)
        {
            (options.AdditionalProperties ??= [])[EngineChatOptions.IgnoreEos] = true;
        }

        if (request.MinP is double minP)
        {
            (options.AdditionalProperties ??= [])[EngineChatOptions.MinP] = (float)minP;
        }

        return null;
    }

    private static OpenAIError Invalid(string message, string? param = null, string? code = null) =>
        new(message, "invalid_request_error", param, code);

    private static OpenAIError? OutOfRange(double? value, double min, double max, string param) =>
        value is double v && (double.IsNaN(v) || v < min || v > max)
            ? Invalid($"{param} must be between {min} and {max}; got {v}.", param, "invalid_value")
            : null;

    private static OpenAIError? ReadStop(JsonElement? stop, out List<string>? stops)
    {
        stops = null;
        switch (stop)
        {
            case null:
            case { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.String } s:
                stops = [s.GetString()!];
                break;
            case { ValueKind: JsonValueKind.Array } a when a.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String):
                stops = [.. a.EnumerateArray().Select(e => e.GetString()!)];
                break;
            default:
                return Invalid("stop must be a string or an array of strings.", "stop");
        }

        if (stops.Count > MaxStopSequences)
        {
            return Invalid($"stop takes at most {MaxStopSequences} sequences; got {stops.Count}.", "stop");
        }

        return stops.Any(s => s.Length == 0) ? Invalid("stop sequences must not be empty.", "stop") : null;
    }
}
