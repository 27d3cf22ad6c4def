using System.Buffers;
using System.Numerics.Tensors;
using Inference.Engines.Grammars;
using LLama.Native;

namespace Inference.LlamaCpp.Scheduling;

/// <summary>
/// Picks a sequence's tokens from its logits with llama.cpp's own samplers, one chain per sequence (its own seed and
/// penalties): the repetition penalty over prompt and output, frequency and presence penalties over the output, then
/// top-k, temperature, top-p, min-p and a seeded draw; or greedy. Plain greedy decoding needs no chain at all.
/// Under a grammar, llama.cpp's grammar sampler checks the pick; only when it refuses it is the vocabulary masked and
/// the chain run again on what is left (as llama.cpp's server does: the same distribution as masking first, without
/// masking every step). The mask comes from our token trie, which walks the vocabulary in a fraction of the time
/// llama.cpp's full grammar pass takes; llama.cpp's sampler still checks the token so chosen, and should the two ever
/// disagree llama.cpp's own full pass decides. llama.cpp's grammar is the authority throughout.
/// </summary>
internal sealed class SequenceSampler : IDisposable
{
    private readonly SafeLLamaSamplerChainHandle? _chain;
    private readonly SafeLLamaSamplerChainHandle? _grammar;
    private GrammarConstraint? _mask;
    private readonly Inference.Engines.Structured.ReasoningBudget? _budget;
    private readonly LlamaVocabulary? _vocabulary;
    private byte[] _piece = new byte[64];
    private readonly LLamaTokenData[] _candidates = [];
    private readonly LLamaTokenData[] _single = new LLamaTokenData[1];

    /// <param name="window">Tokens the penalties look back over: the whole sequence.</param>
    /// <param name="grammar">GBNF the output must match, or null.</param>
    /// <param name="budget">The request's reasoning budget, counted here: once spent, the closing markup is taken instead of a sample.</param>
    public SequenceSampler(SamplingSettings settings, ReadOnlySpan<int> prompt, int window, GbnfGrammar? grammar = null, LlamaVocabulary? vocabulary = null, Inference.Engines.Structured.ReasoningBudget? budget = null)
    {
        _budget = budget;
        _vocabulary = vocabulary;
        if (grammar is not null)
        {
            ArgumentNullException.ThrowIfNull(vocabulary);
            _grammar = SafeLLamaSamplerChainHandle.Create(LLamaSamplerChainParams.Default());
            _grammar.AddGrammar(vocabulary.Model, grammar.Text, "root");
            _mask = new GrammarConstraint(grammar, vocabulary.Trie, vocabulary.StopTokens);
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
        if (_budget?.Forced is int forced)
        {
            // The reasoning budget is spent: the closing markup is taken, as if sampled.
            _chain?.Accept((LLamaToken)forced);
            _grammar?.Accept((LLamaToken)forced);
            if (_mask is not null && !_mask.TryAccept(forced))
            {
                _mask.Dispose();
                _mask = null;
            }

            _budget.Accept(forced, _vocabulary!.Bytes(forced, ref _piece));
            return forced;
        }

        var token = NextSampled(context, index, logits);
        if (_budget is not null)
        {
            _budget.Accept(token, _vocabulary!.Bytes(token, ref _piece));
        }

        return token;
    }

    private int NextSampled(SafeLLamaContextHandle context, int index, ReadOnlySpan<float> logits)
    {
        if (_grammar is null)
        {
            return _chain is null ? TensorPrimitives.IndexOfMax(logits) : (int)_chain.Sample(context, index);
        }

        var token = _chain is null ? TensorPrimitives.IndexOfMax(logits) : Apply(_chain, logits);
        if (!Allowed(token))
        {
            token = _mask is null ? -1 : MaskedPick(logits);
            if (token < 0 || !Allowed(token))
            {
                // Ours found nothing llama.cpp allows: llama.cpp's own pass over the vocabulary decides.
                Fill(logits);
                if (!ApplyGrammar())
                {
                    return -1;
                }

                token = _chain is null ? BestCandidate() : ApplyFilled(_chain);
            }
        }

        _chain?.Accept((LLamaToken)token);
        _grammar.Accept((LLamaToken)token);
        if (_mask is not null && !_mask.TryAccept(token))
        {
            // The two grammars disagree here: go on with llama.cpp's alone.
            _mask.Dispose();
            _mask = null;
        }

        return token;
    }

    /// <summary>The chain's pick among the tokens our trie allows, or -1 when it allows none.</summary>
    private int MaskedPick(ReadOnlySpan<float> logits)
    {
        var scores = ArrayPool<float>.Shared.Rent(_candidates.Length);
        try
        {
            var span = scores.AsSpan(0, _candidates.Length);
            logits[.._candidates.Length].CopyTo(span);
            if (_mask!.Mask(span) == 0)
            {
                return -1;
            }

            Fill(span);
            return _chain is null ? BestCandidate() : ApplyFilled(_chain);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    public void Dispose()
    {
        _chain?.Dispose();
        _grammar?.Dispose();
        _mask?.Dispose();
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
