using Microsoft.Extensions.AI;

namespace Inference.LlamaCpp.Scheduling;

/// <summary>A piece of a sequence's text (whole characters); the last one carries <see cref="Finish"/>.</summary>
internal readonly record struct SequenceOutput(string Text, SequenceFinish? Finish = null);

/// <summary>Why a sequence ended and what it counted.</summary>
/// <param name="CachedTokens">Prompt tokens whose key/value cells came from the prefix cache.</param>
internal sealed record SequenceFinish(ChatFinishReason Reason, int PromptTokens, int CompletionTokens, int CachedTokens);
