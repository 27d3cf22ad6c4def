namespace Inference.Engines;

/// <summary>A prompt, or a prompt plus the requested completion, does not fit the model's context window.</summary>
/// <param name="requiredOutput">What the completion tokens are the least needed for (e.g. "tool call"), when they are not a requested length.</param>
public sealed class ContextWindowExceededException(int requestedTokens, int contextLength, int? promptTokens = null, int? completionTokens = null, string? requiredOutput = null)
    : Exception(promptTokens is int p && completionTokens is int c
        ? requiredOutput is not null
            ? $"This model's maximum context length is {contextLength} tokens. However, the prompt has {p} tokens and the shortest {requiredOutput} takes {c} more ({requestedTokens} in all), so no {requiredOutput} could be completed. Please reduce the prompt or the tools."
            : $"This model's maximum context length is {contextLength} tokens. However, you requested {requestedTokens} tokens ({p} in the prompt, {c} for the completion). Please reduce the prompt or the completion length."
        : $"This model's maximum context length is {contextLength} tokens. However, the prompt has {requestedTokens} tokens. Please reduce the prompt.")
{
    public int RequestedTokens { get; } = requestedTokens;

    public int ContextLength { get; } = contextLength;

    public int? PromptTokens { get; } = promptTokens;

    /// <summary>
    /// Throws when a prompt of <paramref name="promptTokens"/> leaves no room for the <paramref name="minimumOutputTokens"/>
    /// the answer needs at the least (the shortest tool call a request with tools can make).
    /// </summary>
    public static void ThrowIfNoRoom(int promptTokens, int minimumOutputTokens, int contextLength, string requiredOutput)
    {
        if (minimumOutputTokens > 0 && promptTokens + minimumOutputTokens > contextLength)
        {
            throw new ContextWindowExceededException(promptTokens + minimumOutputTokens, contextLength, promptTokens, minimumOutputTokens, requiredOutput);
        }
    }
}
