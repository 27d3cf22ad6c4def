using System.Numerics.Tensors;
using LLama.Native;

namespace Inference.LlamaCpp.Scheduling;

/// <summary>
/// Picks a sequence's tokens from its logits with llama.cpp's own samplers, one chain per sequence (its own seed and
/// penalties): the repetition penalty over prompt and output, frequency and presence penalties over the output, then
/// top-k, temperature, top-p, min-p and a seeded draw; or greedy. Plain greedy decoding needs no chain at all.
/// Under a grammar, llama.cpp's grammar sampler checks the pick; only when it refuses it is the grammar applied to the
/// whole vocabulary and the chain run again on what is left (as llama.cpp's server does: the same distribution as
/// masking first, without masking every step).
/// </summary>
internal sealed class SequenceSampler : IDisposable
{
    private readonly SafeLLamaSamplerChainHandle? _chain;
    private readonly SafeLLamaSamplerChainHandle? _grammar;
    private readonly LLamaTokenData[] _candidates = [];
    private readonly LLamaTokenData[] _single = new LLamaTokenData[1];

    /// <param name="window">Tokens the penalties look back over: the whole sequence.</param>
    /// <param name="grammar">GBNF the output must match, or null.</param>
    public SequenceSampler(SamplingSettings settings, ReadOnlySpan<int> prompt, int window, string? grammar = null, LlamaVocabulary? vocabulary = null)
    {
        if (grammar is not null)
        {
            ArgumentNullException.ThrowIfNull(vocabulary);
            _grammar = SafeLLamaSamplerChainHandle.Create(LLamaSamplerChainParams.Default());
            _grammar.AddGrammar(vocabulary.Model, grammar, "root");
            _candidates = new LLamaTokenData[vocabulary.Count];
        }

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

    /// <summary>
    /// The next token from the batch's <paramref name="index"/>-th logits (also recorded for the penalties and the
    /// grammar); -1 when the grammar allows no token at all.
    /// </summary>
    public int Next(SafeLLamaContextHandle context, int index, ReadOnlySpan<float> logits)
    {
        if (_grammar is null)
        {
            return _chain is null ? TensorPrimitives.IndexOfMax(logits) : (int)_chain.Sample(context, index);
        }

        var token = _chain is null ? TensorPrimitives.IndexOfMax(logits) : Apply(_chain, logits);
        if (!Allowed(token))
        {
            Fill(logits);
            if (!ApplyGrammar())
            {
                return -1;
            }

            token = _chain is null ? BestCandidate() : ApplyFilled(_chain);
        }

        _chain?.Accept((LLamaToken)token);
        _grammar.Accept((LLamaToken)token);
        return token;
    }

    public void Dispose()
    {
        _chain?.Dispose();
        _grammar?.Dispose();
    }

    private int Apply(SafeLLamaSamplerChainHandle chain, ReadOnlySpan<float> logits)
    {
        Fill(logits);
        return ApplyFilled(chain);
    }

    private int ApplyFilled(SafeLLamaSamplerChainHandle chain)
    {
        using var pin = LLamaTokenDataArrayNative.Create(new LLamaTokenDataArray(_candidates), out var native);
        chain.Apply(ref native);
        return (int)native.Data[checked((int)native.Selected)].ID;
    }

    private bool Allowed(int token)
    {
        _single[0] = new LLamaTokenData((LLamaToken)token, 1f, 0f);
        using var pin = LLamaTokenDataArrayNative.Create(new LLamaTokenDataArray(_single, true), out var native);
        _grammar!.Apply(ref native);
        return !float.IsNegativeInfinity(native.Data[0].Logit);
    }

    /// <summary>Masks the filled candidates with the grammar; false when it leaves none.</summary>
    private bool ApplyGrammar()
    {
        using (LLamaTokenDataArrayNative.Create(new LLamaTokenDataArray(_candidates), out var native))
        {
            _grammar!.Apply(ref native);
        }

        foreach (var candidate in _candidates)
        {
            if (!float.IsNegativeInfinity(candidate.Logit))
            {
                return true;
            }
        }

        return false;
    }

    private int BestCandidate()
    {
        var best = 0;
        for (var i = 1; i < _candidates.Length; i++)
        {
            if (_candidates[i].Logit > _candidates[best].Logit)
            {
                best = i;
            }
        }

        return (int)_candidates[best].ID;
    }

    private void Fill(ReadOnlySpan<float> logits)
    {
        for (var i = 0; i < _candidates.Length; i++)
        {
            _candidates[i] = new LLamaTokenData((LLamaToken)i, logits[i], 0f);
        }
    }
}
