namespace Inference.Onnx.Generation;

/// <summary>How one completion is decoded. Temperature 0 means greedy (argmax) decoding.</summary>
public sealed record GenerationSettings
{
    /// <summary>New tokens at most; null fills the rest of the context window.</summary>
    public int? MaxNewTokens { get; init; }

    public float Temperature { get; init; }

    public float TopP { get; init; } = 1f;

    /// <summary>Keep the K most likely tokens; 0 keeps all.</summary>
    public int TopK { get; init; }

    /// <summary>Drop tokens less likely than this share of the most likely one; 0 keeps all.</summary>
    public float MinP { get; init; }

    /// <summary>Hugging Face's repetition penalty over prompt and output tokens; 1 is off.</summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>OpenAI's frequency penalty over output tokens: subtracted once per occurrence.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>OpenAI's presence penalty over output tokens: subtracted once if the token occurred.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>Fixes the sampler's random sequence: the same seed and prompt give the same text.</summary>
    public long? Seed { get; init; }

    /// <summary>Text that ends generation; it is not part of the output. It may span token boundaries.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>Token ids that end generation (the model's EOS ids); they are not part of the output.</summary>
    public IReadOnlyCollection<int> StopTokenIds { get; init; } = [];

    /// <summary>The request's reasoning budget in the model's tokens, when it has one.</summary>
    public Inference.Engines.Structured.ReasoningBudgetPlan? ReasoningBudget { get; init; }

    internal bool IsGreedy => Temperature <= 0f;

    internal bool HasPenalties => RepetitionPenalty != 1f || FrequencyPenalty != 0f || PresencePenalty != 0f;
}
