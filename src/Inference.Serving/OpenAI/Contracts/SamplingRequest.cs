using System.Text.Json;

namespace Inference.Serving.OpenAI.Contracts;

/// <summary>The model and decoding parameters that chat and text completions share.</summary>
public abstract record SamplingRequest
{
    public string? Model { get; init; }

    public int? MaxTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    /// <summary>Not in OpenAI's API; vLLM and llama.cpp accept it too.</summary>
    public int? TopK { get; init; }

    /// <summary>Not in OpenAI's API; llama.cpp and vLLM accept it: drop tokens below this share of the most likely one.</summary>
    public double? MinP { get; init; }

    public double? FrequencyPenalty { get; init; }

    public double? PresencePenalty { get; init; }

    /// <summary>Hugging Face's repetition penalty; not in OpenAI's API.</summary>
    public double? RepetitionPenalty { get; init; }

    public long? Seed { get; init; }

    /// <summary>Not in OpenAI's API; llama.cpp and vLLM accept it: run to max_tokens past end-of-generation tokens.</summary>
    public bool? IgnoreEos { get; init; }

    /// <summary>A string or an array of strings.</summary>
    public JsonElement? Stop { get; init; }

    /// <summary>Not in OpenAI's API; llama.cpp and vLLM accept it: GBNF the output must match, or the name of a stored grammar.</summary>
    public string? Grammar { get; init; }

    public int? N { get; init; }

    public bool? Stream { get; init; }

    public StreamOptions? StreamOptions { get; init; }

    public string? User { get; init; }

    /// <summary>Not in OpenAI's API (seed 003's): false keeps the request on its model even when it fails; fallbacks are used by default.</summary>
    public bool? UseFallbacks { get; init; }

    /// <summary>The completion limit the request asks for, whichever field carries it.</summary>
    public abstract int? RequestedMaxTokens { get; }
}
