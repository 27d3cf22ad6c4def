using System.Text.Json;

namespace Inference.Serving.OpenAI.Contracts;

/// <summary>The decoding parameters chat and text completions share.</summary>
public interface ISamplingRequest
{
    string? Model { get; }

    double? Temperature { get; }

    double? TopP { get; }

    int? TopK { get; }

    double? FrequencyPenalty { get; }

    double? PresencePenalty { get; }

    double? RepetitionPenalty { get; }

    long? Seed { get; }

    JsonElement? Stop { get; }

    int? N { get; }

    bool? Stream { get; }

    StreamOptions? StreamOptions { get; }

    /// <summary>The completion limit the request asks for, whichever field carries it.</summary>
    int? RequestedMaxTokens { get; }
}
