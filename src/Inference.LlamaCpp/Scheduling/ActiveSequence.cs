using System.Diagnostics;
using Inference.Engines.Text;
using Microsoft.Extensions.AI;

namespace Inference.LlamaCpp.Scheduling;

/// <summary>
/// A request in the running batch: its llama.cpp sequence id and cells, how much of its prompt is computed, its
/// sampler, and the text it has streamed. Only the scheduler's thread touches it.
/// </summary>
internal sealed class ActiveSequence : IDisposable
{
    private readonly int[] _tokens;
    private readonly Utf8StreamDecoder _text = new();
    private readonly StopSequenceMatcher _stops;
    private readonly KeyValuePair<string, object?> _modelTag;
    private bool _emittedText;

    public ActiveSequence(SequenceRequest request, int sequenceId, KvHolding holding, int window, LlamaVocabulary vocabulary, KeyValuePair<string, object?> modelTag)
    {
        _modelTag = modelTag;
        Request = request;
        SequenceId = sequenceId;
        Holding = holding;
        Cached = holding.Length;
        _tokens = new int[request.Prompt.Length + request.MaxNewTokens];
        request.Prompt.CopyTo(_tokens, 0);
        Sampler = new SequenceSampler(request.Sampling, request.Prompt, window, request.Grammar, vocabulary, request.ReasoningBudget?.Start());
        _stops = new StopSequenceMatcher(request.StopSequences);
    }

    public SequenceRequest Request { get; }

    public int SequenceId { get; }

    public KvHolding Holding { get; }

    public SequenceSampler Sampler { get; }

    /// <summary>Prompt tokens whose cells were copied from the prefix cache.</summary>
    public int Cached { get; }

    /// <summary>Tokens whose cells are computed (the prompt, then each generated token once it is fed back).</summary>
    public int Decoded => Holding.Length;

    public int PromptLength => Request.Prompt.Length;

    public bool Prefilling => Decoded < PromptLength;

    public int Generated { get; private set; }

    /// <summary>Where this sequence's logits are in the current batch, or -1 when it has none this step.</summary>
    public int BatchIndex { get; set; } = -1;

    /// <summary>Tokens it puts into the current batch.</summary>
    public int BatchTokens { get; set; }

    public SequenceFinish? Finish { get; private set; }

    /// <summary>The tokens whose cells this sequence holds, for the prefix cache.</summary>
    public int[] Tokens => _tokens;

    /// <summary>The next tokens to feed: a chunk of the prompt, or the last token generated.</summary>
    public ReadOnlySpan<int> Pending(int max) => _tokens.AsSpan(Decoded, Math.Min(max, PromptLength + Generated - Decoded));

    /// <summary>
    /// Takes the token chosen for the next position: streams its text, or finishes the sequence (its last output
    /// written; the scheduler completes the stream once the sequence has left the batch).
    /// </summary>
    public void Accept(int token, LlamaVocabulary vocabulary, ref byte[] scratch)
    {
        Generated++;
        // Under a grammar an end token comes only once the match is whole, and it always ends.
        if (vocabulary.IsStop(token) && (!Request.IgnoreEndOfGeneration || Request.Grammar is not null))
        {
            End(ChatFinishReason.Stop);
            return;
        }

        var piece = _text.Append(vocabulary.Bytes(token, ref scratch));
        if (!piece.IsEmpty)
        {
            Write(_stops.Push(piece));
            if (_stops.Stopped)
            {
                End(ChatFinishReason.Stop);
                return;
            }
        }

        if (Generated == Request.MaxNewTokens)
        {
            End(ChatFinishReason.Length);
            return;
        }

        _tokens[PromptLength + Generated - 1] = token;
    }

    /// <summary>Ends the sequence early with an error the caller sees.</summary>
    public void Fail(Exception error) => Request.Output.Writer.TryComplete(error);

    public void Dispose() => Sampler.Dispose();

    private void End(ChatFinishReason reason)
    {
        var rest = "";
        if (!_stops.Stopped)
        {
            rest = _stops.Push(_text.Flush());
            rest += _stops.Stopped ? "" : _stops.Flush();
            reason = _stops.Stopped ? ChatFinishReason.Stop : reason;
        }

        Finish = new SequenceFinish(reason, PromptLength, Generated, Cached);
        Write(rest, Finish);
    }

    private void Write(string text, SequenceFinish? finish = null)
    {
        if (text.Length > 0 && !_emittedText)
        {
            _emittedText = true;
            EngineTelemetry.TimeToFirstToken.Record(Stopwatch.GetElapsedTime(Request.Arrived).TotalSeconds, _modelTag);
        }

        if (text.Length > 0 || finish is not null)
        {
            Request.Output.Writer.TryWrite(new SequenceOutput(text, finish));
        }
    }
}
