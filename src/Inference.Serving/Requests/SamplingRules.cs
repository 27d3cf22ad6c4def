using Inference.Serving.Catalog;
using Microsoft.Extensions.AI;

namespace Inference.Serving.Requests;

/// <summary>
/// Checks a request's decoding parameters against the model and turns them into <see cref="ChatOptions"/>; each API
/// surface words the error in its own format.
/// </summary>
public static class SamplingRules
{
    public const int MaxStopSequences = 4;

    public static InferenceError? Validate(SamplingParameters parameters, ServedModel model, out ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(model);

        // No ModelId: the served client knows which model it runs, which may be named differently upstream.
        options = new ChatOptions();
        if (parameters.Choices is int n && n != 1)
        {
            return InferenceError.Invalid("Only n = 1 is supported.", "n");
        }

        if (parameters.MaxTokens is int max)
        {
            if (max <= 0)
            {
                return InferenceError.Invalid($"max_tokens must be at least 1; got {max}.", "max_tokens", "invalid_value");
            }

            if (model.ContextLength is int context && max >= context)
            {
                return InferenceError.Invalid(
                    $"max_tokens is too large: {max}. This model's maximum context length is {context} tokens, prompt included.", "max_tokens", "invalid_value");
            }

            options.MaxOutputTokens = max;
        }

        var rangeError = OutOfRange(parameters.Temperature, 0, 2, "temperature") ?? OutOfRange(parameters.TopP, 0, 1, "top_p") ?? OutOfRange(parameters.MinP, 0, 1, "min_p")
            ?? OutOfRange(parameters.FrequencyPenalty, -2, 2, "frequency_penalty") ?? OutOfRange(parameters.PresencePenalty, -2, 2, "presence_penalty")
            ?? OutOfRange(parameters.RepetitionPenalty, 0.01, 10, "repetition_penalty") ?? OutOfRange(parameters.TopK, 0, int.MaxValue, "top_k");
        if (rangeError is not null)
        {
            return rangeError;
        }

        if (parameters.Stop is { } stops)
        {
            if (stops.Count > MaxStopSequences)
            {
                return InferenceError.Invalid($"stop takes at most {MaxStopSequences} sequences; got {stops.Count}.", "stop");
            }

            if (stops.Any(s => s.Length == 0))
            {
                return InferenceError.Invalid("stop sequences must not be empty.", "stop");
            }

            options.StopSequences = [.. stops];
        }

        options.Temperature = (float?)parameters.Temperature;
        options.TopP = (float?)parameters.TopP;
        options.TopK = parameters.TopK;
        options.FrequencyPenalty = (float?)parameters.FrequencyPenalty;
        options.PresencePenalty = (float?)parameters.PresencePenalty;
        options.Seed = parameters.Seed;
        if (parameters.RepetitionPenalty is double repetition)
        {
            (options.AdditionalProperties ??= [])[EngineChatOptions.RepetitionPenalty] = (float)repetition;
        }

        if (parameters.IgnoreEos)
        {
            (options.AdditionalProperties ??= [])[EngineChatOptions.IgnoreEos] = true;
        }

        if (parameters.MinP is double minP)
        {
            (options.AdditionalProperties ??= [])[EngineChatOptions.MinP] = (float)minP;
        }

        if (parameters.Grammar is { } grammar)
        {
            (options.AdditionalProperties ??= [])[EngineChatOptions.Grammar] = grammar;
        }

        return null;
    }

    private static InferenceError? OutOfRange(double? value, double min, double max, string param) =>
        value is double v && (double.IsNaN(v) || v < min || v > max)
            ? InferenceError.Invalid($"{param} must be between {min} and {max}; got {v}.", param, "invalid_value")
            : null;
}
