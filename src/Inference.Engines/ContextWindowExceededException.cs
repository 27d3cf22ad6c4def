namespace Inference.Engines;

/// <summary>A prompt, or a prompt plus the requested completion, does not fit the model's context window.</summary>
public sealed class ContextWindowExceededException(int requestedTokens, int contextLength, int? promptTokens = null, int? completionTokens = null)
    : Exception(promptTokens is int p && completionTokens is int c
        ? $"This model's maximum context length is {contextLength} tokens. However, you requested {requestedTokens} tokens ({p} in the prompt, {c} for the completion). Please reduce the prompt or the completion length."
        : $"This model's maximum context length is {contextLength} tokens. However, the prompt has {requestedTokens} tokens. Please reduce the prompt.")
{
    public int RequestedTokens { get; } = requestedTokens;

    public int ContextLength { get; } = contextLength;

    public int? PromptTokens { get; } = promptTokens;
}
