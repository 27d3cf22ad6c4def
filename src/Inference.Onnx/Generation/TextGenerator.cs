using System.Buffers;
using System.Runtime.CompilerServices;
using Inference.Engines.Grammars;
using Inference.Engines.Text;
using Inference.Onnx.Tokenization;

namespace Inference.Onnx.Generation;

/// <summary>
/// The generation loop: prefill the prompt once, then one cached step per token, sampling, stop tokens and stop
/// sequences, streaming whole characters as they complete. Under a grammar, the sampler's pick is checked against it
/// and, only when it is not allowed, the step's logits are masked to what the grammar allows and sampled again (the
/// same distribution as masking first, at a fraction of the cost); generation ends once the grammar is closed.
/// </summary>
public sealed class TextGenerator(DecoderModel model, ModelTokenizer tokenizer)
{
    public DecoderModel Model => model;

    public ModelTokenizer Tokenizer => tokenizer;

    /// <summary>Checks a prompt against the model before any work is queued; throws what the caller should report.</summary>
    public void Validate(ReadOnlySpan<int> promptIds, int? maxNewTokens)
    {
        if (promptIds.IsEmpty)
        {
            throw new InvalidPromptException("The prompt is empty.");
        }

        foreach (var id in promptIds)
        {
            if ((uint)id >= (uint)model.VocabSize)
            {
                throw new InvalidPromptException($"The prompt contains token id {id}, outside this model's vocabulary of {model.VocabSize} tokens.");
            }
        }

        if (promptIds.Length >= model.ContextLength)
        {
            throw new ContextWindowExceededException(promptIds.Length, model.ContextLength);
        }

        if (maxNewTokens is int max && promptIds.Length + max > model.ContextLength)
        {
            throw new ContextWindowExceededException(promptIds.Length + max, model.ContextLength, promptIds.Length, max);
        }
    }

    public IAsyncEnumerable<GenerationChunk> GenerateAsync(int[] promptIds, GenerationSettings settings, CancellationToken cancellationToken = default) =>
        GenerateAsync(promptIds, settings, null, cancellationToken);

    /// <param name="constraint">The grammar the output must match, or null; it must not be shared with another generation.</param>
    public async IAsyncEnumerable<GenerationChunk> GenerateAsync(
        int[] promptIds,
        GenerationSettings settings,
        GrammarConstraint? constraint,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Validate(promptIds, settings.MaxNewTokens);
        var limit = Math.Min(settings.MaxNewTokens ?? int.MaxValue, model.ContextLength - promptIds.Length);
        var stopTokens = settings.StopTokenIds;
        var stops = new StopSequenceMatcher([.. settings.StopSequences.Where(s => s.Length > 0)]);
        var text = new Utf8TokenDecoder(tokenizer);

        using var sequence = model.StartSequence();
        using var sampler = new TokenSampler(settings, model.VocabSize, promptIds);
        var chooser = new Chooser(sampler, constraint, model.VocabSize);

        // Let the caller's thread go before the CPU-bound prefill.
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();

        var token = chooser.Next(sequence.Append(promptIds), 0);
        var generated = 0;
        var reason = FinishReason.Length;
        while (true)
        {
            generated++;
            if (stopTokens.Contains(token) || constraint?.IsEndToken(token) == true)
            {
                reason = FinishReason.Stop;
                break;
            }

            sampler.Accept(token);
            constraint?.Accept(token);
            var piece = text.Append(token);
            if (!piece.IsEmpty)
            {
                var emit = stops.Push(piece);
                if (emit.Length > 0)
                {
                    yield return new GenerationChunk(emit);
                }

                if (stops.Stopped)
                {
                    reason = FinishReason.Stop;
                    break;
                }
            }

            if (constraint?.IsClosed == true)
            {
                reason = FinishReason.Stop;
                break;
            }

            if (generated == limit)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            token = chooser.Next(sequence.Append(new ReadOnlySpan<int>(in token)), generated);
        }

        if (!stops.Stopped)
        {
            var rest = stops.Push(text.Flush()) + (stops.Stopped ? "" : stops.Flush());
            if (rest.Length > 0)
            {
                yield return new GenerationChunk(rest);
            }

            reason = stops.Stopped ? FinishReason.Stop : reason;
        }

        yield return new GenerationChunk("", new GenerationFinish(reason, promptIds.Length, generated));
    }

    /// <summary>Samples a step's token, within the grammar when there is one.</summary>
    private readonly struct Chooser(TokenSampler sampler, GrammarConstraint? constraint, int vocab)
    {
        public int Next(ReadOnlySpan<float> logits, int generated)
        {
            var token = sampler.Next(logits);
            if (constraint is null || constraint.Allows(token))
            {
                return token;
            }

            var masked = ArrayPool<float>.Shared.Rent(vocab);
            try
            {
                var scores = masked.AsSpan(0, vocab);
                logits[..vocab].CopyTo(scores);
                if (constraint.Mask(scores) == 0)
                {
                    throw new GrammarDeadEndException(generated);
                }

                return sampler.Next(scores);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(masked);
            }
        }
    }
}
