using System.Runtime.CompilerServices;
using Inference.Engines.Text;
using Inference.Onnx.Tokenization;

namespace Inference.Onnx.Generation;

/// <summary>
/// The generation loop: prefill the prompt once, then one cached step per token, sampling, stop tokens and stop
/// sequences, streaming whole characters as they complete.
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

    public async IAsyncEnumerable<GenerationChunk> GenerateAsync(
        int[] promptIds,
        GenerationSettings settings,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Validate(promptIds, settings.MaxNewTokens);
        var limit = Math.Min(settings.MaxNewTokens ?? int.MaxValue, model.ContextLength - promptIds.Length);
        var stopTokens = settings.StopTokenIds;
        var stops = new StopSequenceMatcher([.. settings.StopSequences.Where(s => s.Length > 0)]);
        var text = new Utf8TokenDecoder(tokenizer);

        using var sequence = model.StartSequence();
        using var sampler = new TokenSampler(settings, model.VocabSize, promptIds);

        // Let the caller's thread go before the CPU-bound prefill.
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();

        var token = sampler.Next(sequence.Append(promptIds));
        var generated = 0;
        var reason = FinishReason.Length;
        while (true)
        {
            generated++;
            if (stopTokens.Contains(token))
            {
                reason = FinishReason.Stop;
                break;
            }

            sampler.Accept(token);
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

            if (generated == limit)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            token = Step(sequence, sampler, token);
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

    private static int Step(DecoderSequence sequence, TokenSampler sampler, int previous) =>
        sampler.Next(sequence.Append(new ReadOnlySpan<int>(in previous)));
}
