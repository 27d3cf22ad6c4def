using System.Runtime.CompilerServices;
using Inference.Engines.Grammars;
using Inference.Onnx.Tokenization;

namespace Inference.Onnx.Generation;

/// <summary>
/// One generation on its own: prefill the prompt once, then one cached step per token, streaming whole characters as
/// they complete (<see cref="SequenceRun"/> makes the choices). <see cref="DecodeBatch"/> runs the same choices for
/// many sequences sharing each step.
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
        using var sequence = model.StartSequence();
        using var run = new SequenceRun(model, tokenizer, promptIds, settings, constraint);

        // Let the caller's thread go before the CPU-bound prefill.
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();

        var token = run.Choose(sequence.Append(promptIds));
        while (true)
        {
            var emit = run.Accept(token);
            if (emit.Length > 0)
            {
                yield return new GenerationChunk(emit);
            }

            if (run.Done)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            token = run.Choose(sequence.Append(new ReadOnlySpan<int>(in token)));
        }

        var last = run.Finish();
        if (last.Text.Length > 0)
        {
            yield return new GenerationChunk(last.Text);
        }

        yield return last with { Text = "" };
    }
}
