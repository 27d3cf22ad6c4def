using System.Text.Json;
using System.Text.Json.Serialization;
using Inference.Serving.Requests;

namespace Inference.Http;

/// <summary>
/// The model and decoding fields that OpenAI-style request bodies share (OpenAI's chat and text completions, and the
/// platform's generate and infer bodies), with the fields llama.cpp and vLLM add (top_k, min_p, grammar...).
/// </summary>
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

    public string? User { get; init; }

    /// <summary>Not in OpenAI's API: false keeps the request on its model even when it fails; fallbacks are used by default.</summary>
    public bool? UseFallbacks { get; init; }

    /// <summary>The completion limit the request asks for, whichever field carries it.</summary>
    [JsonIgnore]
    public abstract int? RequestedMaxTokens { get; }

    /// <summary>The decoding parameters these fields ask for, or why they cannot be read (a <c>stop</c> that is not strings).</summary>
    public (SamplingParameters Parameters, InferenceError? Error) ToParameters()
    {
        var (stops, error) = SamplingFields.ReadStop(Stop);
        return (new SamplingParameters
        {
            MaxTokens = RequestedMaxTokens,
            Temperature = Temperature,
            TopP = TopP,
            TopK = TopK,
            MinP = MinP,
            FrequencyPenalty = FrequencyPenalty,
            PresencePenalty = PresencePenalty,
            RepetitionPenalty = RepetitionPenalty,
            Seed = Seed,
            IgnoreEos = IgnoreEos == true,
            Choices = N,
            Stop = stops,
            Grammar = Grammar,
        }, error);
    }
}
