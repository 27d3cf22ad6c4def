namespace Inference.LlamaCpp.Scheduling;

/// <summary>How one request picks its tokens. Temperature 0 is greedy decoding.</summary>
internal sealed record SamplingSettings
{
    /// <summary>llama.cpp server's defaults, for requests that set nothing.</summary>
    public static SamplingSettings Defaults { get; } = new() { Temperature = 0.8f, TopK = 40, TopP = 0.95f, MinP = 0.05f };

    public float Temperature { get; init; }

    public int TopK { get; init; }

    public float TopP { get; init; } = 1f;

    public float MinP { get; init; }

    /// <summary>Hugging Face's repetition penalty over prompt and output tokens; 1 is off.</summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>OpenAI's frequency penalty over output tokens.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>OpenAI's presence penalty over output tokens.</summary>
    public float PresencePenalty { get; init; }

    public uint? Seed { get; init; }

    public bool IsGreedy => Temperature <= 0f;

    public bool HasPenalties => RepetitionPenalty != 1f || FrequencyPenalty != 0f || PresencePenalty != 0f;
}
