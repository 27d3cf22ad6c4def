using System.Numerics.Tensors;
using LLama.Native;

namespace Inference.LlamaCpp.Scheduling;

/// <summary>
/// Picks a sequence's tokens from its logits with llama.cpp's own samplers, one chain per sequence (its own seed and
/// penalties): the repetition penalty over prompt and output, frequency and presence penalties over the output, then
/// top-k, temperature, top-p, min-p and a seeded draw; or greedy. Plain greedy decoding needs no chain at all.
/// </summary>
internal sealed class SequenceSampler : IDisposable
{
    private readonly SafeLLamaSamplerChainHandle? _chain;

    /// <param name="window">Tokens the penalties look back over: the whole sequence.</param>
    public SequenceSampler(SamplingSettings settings, ReadOnlySpan<int> prompt, int window)
    {
        if (settings.IsGreedy && !settings.HasPenalties)
        {
            return;
        }

        _chain = SafeLLamaSamplerChainHandle.Create(LLamaSamplerChainParams.Default());
        if (settings.RepetitionPenalty != 1f)
        {
            // Added alone first, so that only this sampler sees the prompt's tokens.
            _chain.AddPenalties(window, settings.RepetitionPenalty, 0f, 0f);
            foreach (var token in prompt)
            {
                _chain.Accept((LLamaToken)token);
            }
        }

        if (settings.FrequencyPenalty != 0f || settings.PresencePenalty != 0f)
        {
            _chain.AddPenalties(window, 1f, settings.FrequencyPenalty, settings.PresencePenalty);
        }

        if (settings.IsGreedy)
        {
            _chain.AddGreedySampler();
            return;
        }

        if (settings.TopK > 0)
        {
            _chain.AddTopK(settings.TopK);
        }

        _chain.AddTemperature(settings.Temperature);
        if (settings.TopP < 1f)
        {
            _chain.AddTopP(settings.TopP, 1);
        }

        if (settings.MinP > 0f)
        {
            _chain.AddMinP(settings.MinP, 1);
        }

        _chain.AddDistributionSampler(settings.Seed ?? (uint)Random.Shared.Next());
    }

    /// <summary>The next token from the batch's <paramref name="index"/>-th logits (also recorded for the penalties).</summary>
    public int Next(SafeLLamaContextHandle context, int index, ReadOnlySpan<float> logits) =>
        _chain is null ? TensorPrimitives.IndexOfMax(logits) : (int)_chain.Sample(context, index);

    public void Dispose() => _chain?.Dispose();
}
