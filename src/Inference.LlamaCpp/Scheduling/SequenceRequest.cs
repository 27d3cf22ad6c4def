using System.Diagnostics;
using System.Threading.Channels;
using Inference.Engines.Grammars;

namespace Inference.LlamaCpp.Scheduling;

/// <summary>
/// One request for the scheduler: its prompt tokens, how to sample, when to stop, and the channel its text comes
/// back on. The scheduler's thread writes; the caller reads, and may stop caring at any time.
/// </summary>
internal sealed class SequenceRequest
{
    private volatile bool _abandoned;

    public required int[] Prompt { get; init; }

    public required SamplingSettings Sampling { get; init; }

    /// <summary>New tokens at most, already bounded by the context a sequence may hold.</summary>
    public required int MaxNewTokens { get; init; }

    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>The grammar the output must match (llama.cpp's grammar sampler enforces it), or null.</summary>
    public GbnfGrammar? Grammar { get; init; }

    /// <summary>The request's reasoning budget in the model's tokens, when it has one.</summary>
    public Inference.Engines.Structured.ReasoningBudgetPlan? ReasoningBudget { get; init; }

    /// <summary>End-of-generation tokens do not end it: it runs to <see cref="MaxNewTokens"/>.</summary>
    public bool IgnoreEndOfGeneration { get; init; }

    public CancellationToken Cancellation { get; init; }

    /// <summary>Sees each chosen token and its logits, on the scheduler's thread.</summary>
    public TokenObserver? TokenObserver { get; init; }

    public long Arrived { get; } = Stopwatch.GetTimestamp();

    public Channel<SequenceOutput> Output { get; } = Channel.CreateUnbounded<SequenceOutput>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary>Cells the sequence may come to hold: its prompt and every token it may generate.</summary>
    public int Reservation => Prompt.Length + MaxNewTokens;

    /// <summary>True once the caller cancelled or stopped reading; the scheduler then drops the sequence.</summary>
    public bool IsAbandoned => _abandoned || Cancellation.IsCancellationRequested;

    public void Abandon() => _abandoned = true;
}
