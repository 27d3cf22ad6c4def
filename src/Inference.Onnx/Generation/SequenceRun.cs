using System.Buffers;
using Inference.Engines.Grammars;
using Inference.Engines.Text;
using Inference.Onnx.Tokenization;

namespace Inference.Onnx.Generation;

/// <summary>
/// The decisions of one generation, apart from how its forward passes are run: choosing each token (sampling, and
/// under a grammar the sampler's pick checked against it and, only when not allowed, the step's logits masked to what
/// the grammar allows and sampled again: the same distribution as masking first, at a fraction of the cost), then stop
/// tokens, stop sequences, the length limit and whole characters of text. Run alone by <see cref="TextGenerator"/> or
/// as one row of a <see cref="DecodeBatch"/>, it makes the same choices from the same logits.
/// </summary>
internal sealed class SequenceRun : IDisposable
{
    private readonly GenerationSettings _settings;
    private readonly GrammarConstraint? _constraint;
    private readonly TokenSampler _sampler;
    private readonly StopSequenceMatcher _stops;
    private readonly Inference.Engines.Structured.ReasoningBudget? _budget;
    private readonly ModelTokenizer _tokenizer;
    private readonly Utf8TokenDecoder _text;
    private readonly int _vocab;
    private readonly int _limit;
    private FinishReason _reason = FinishReason.Length;

    public SequenceRun(DecoderModel model, ModelTokenizer tokenizer, int[] promptIds, GenerationSettings settings, GrammarConstraint? constraint)
    {
        PromptIds = promptIds;
        _settings = settings;
        _constraint = constraint;
        _vocab = model.VocabSize;
        _limit = Math.Min(settings.MaxNewTokens ?? int.MaxValue, model.ContextLength - promptIds.Length);
        _stops = new StopSequenceMatcher([.. settings.StopSequences.Where(s => s.Length > 0)]);
        _text = new Utf8TokenDecoder(tokenizer);
        _tokenizer = tokenizer;
        _sampler = new TokenSampler(settings, model.VocabSize, promptIds);
        _budget = settings.ReasoningBudget?.Start();
    }

    public int[] PromptIds { get; }

    /// <summary>Tokens chosen so far, the one ending generation included.</summary>
    public int Generated { get; private set; }

    /// <summary>True once a stop, the grammar's end or the length limit ended generation.</summary>
    public bool Done { get; private set; }

    /// <summary>Chooses the next token from a step's logits (the row of the last position fed).</summary>
    public int Choose(ReadOnlySpan<float> logits)
    {
        if (_budget?.Forced is int forced)
        {
            // The reasoning budget is spent: the engine closes the block itself.
            return forced;
        }

        var token = _sampler.Next(logits);
        if (_constraint is null || _constraint.Allows(token))
        {
            return token;
        }

        var masked = ArrayPool<float>.Shared.Rent(_vocab);
        try
        {
            var scores = masked.AsSpan(0, _vocab);
            logits[.._vocab].CopyTo(scores);
            if (_constraint.Mask(scores) == 0)
            {
                throw new GrammarDeadEndException(Generated);
            }

            return _sampler.Next(scores);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(masked);
        }
    }

    /// <summary>
    /// Takes a chosen token: returns the text it completes (often empty) and sets <see cref="Done"/> when generation
    /// ends with it; otherwise the token is to be fed for the next step.
    /// </summary>
    public string Accept(int token)
    {
        Generated++;
        if (_settings.StopTokenIds.Contains(token) || _constraint?.IsEndToken(token) == true)
        {
            return End(FinishReason.Stop, "");
        }

        _sampler.Accept(token);
        _constraint?.Accept(token);
        _budget?.Accept(token, _tokenizer.GetTokenBytes(token));
        var emit = "";
        var piece = _text.Append(token);
        if (!piece.IsEmpty)
        {
            emit = _stops.Push(piece);
            if (_stops.Stopped)
            {
                return End(FinishReason.Stop, emit);
            }
        }

        if (_constraint?.IsClosed == true)
        {
            return End(FinishReason.Stop, emit);
        }

        Done = Generated == _limit;
        return emit;
    }

    private string End(FinishReason reason, string emit)
    {
        _reason = reason;
        Done = true;
        return emit;
    }

    /// <summary>After <see cref="Done"/>: the text held back (a partial character or stop-sequence prefix) and the finish.</summary>
    public GenerationChunk Finish()
    {
        var reason = _reason;
        var rest = "";
        if (!_stops.Stopped)
        {
            rest = _stops.Push(_text.Flush());
            if (!_stops.Stopped)
            {
                rest += _stops.Flush();
            }
            else
            {
                reason = FinishReason.Stop;
            }
        }

        return new GenerationChunk(rest, new GenerationFinish(reason, PromptIds.Length, Generated));
    }

    public void Dispose() => _sampler.Dispose();
}
