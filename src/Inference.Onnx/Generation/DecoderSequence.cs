using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Inference.Onnx.Generation;

/// <summary>
/// One sequence being decoded: its key/value cache lives in the ONNX Runtime values the previous step produced,
/// handed straight back as the next step's inputs, so the prefix is never recomputed or copied.
/// </summary>
public sealed class DecoderSequence : IDisposable
{
    private readonly DecoderModel _model;
    private readonly OrtValue[] _emptyPast;
    private IDisposableReadOnlyCollection<OrtValue>? _lastOutputs;
    private long[] _longIds = new long[16];
    private int[] _intIds = new int[16];

    internal DecoderSequence(DecoderModel model)
    {
        _model = model;
        InputValues = new OrtValue[model.InputCount];
        var shape = model.Cache.PastShape(0);
        _emptyPast = [.. model.Cache.PastInputs.Select(_ => OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, model.Cache.ElementType, shape))];
    }

    /// <summary>Positions held in the cache.</summary>
    public int Length { get; private set; }

    internal RunOptions RunOptions { get; } = new();

    internal OrtValue[] InputValues { get; }

    /// <summary>Feeds <paramref name="tokens"/> and returns the logits of the last one (valid until the next call).</summary>
    public ReadOnlySpan<float> Append(ReadOnlySpan<int> tokens)
    {
        var all = AppendAll(tokens);
        return all[^_model.VocabSize..];
    }

    /// <summary>Feeds <paramref name="tokens"/> and returns the logits of every one of them, [tokens, vocab].</summary>
    public ReadOnlySpan<float> AppendAll(ReadOnlySpan<int> tokens)
    {
        ObjectDisposedException.ThrowIf(RunOptions.IsClosed, this);
        if (tokens.IsEmpty)
        {
            throw new ArgumentException("At least one token is needed.", nameof(tokens));
        }

        return _model.Run(this, tokens);
    }

    internal OrtValue PastValue(int index) =>
        _lastOutputs is null ? _emptyPast[index] : _lastOutputs[index + 1];

    internal OrtValue CreateIdsValue(ReadOnlySpan<int> tokens)
    {
        long[] shape = [1, tokens.Length];
        if (_model.IdsType == TensorElementType.Int32)
        {
            EnsureCapacity(ref _intIds, tokens.Length);
            tokens.CopyTo(_intIds);
            return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _intIds.AsMemory(0, tokens.Length), shape);
        }

        EnsureCapacity(ref _longIds, tokens.Length);
        for (var i = 0; i < tokens.Length; i++)
        {
            _longIds[i] = tokens[i];
        }

        return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _longIds.AsMemory(0, tokens.Length), shape);
    }

    internal void Advance(IDisposableReadOnlyCollection<OrtValue> outputs, int added)
    {
        _lastOutputs?.Dispose();
        _lastOutputs = outputs;
        Length += added;
    }

    private static void EnsureCapacity<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[Math.Max(length, buffer.Length * 2)];
        }
    }

    public void Dispose()
    {
        _lastOutputs?.Dispose();
        _lastOutputs = null;
        foreach (var value in _emptyPast)
        {
            value.Dispose();
        }

        RunOptions.Dispose();
    }
}
