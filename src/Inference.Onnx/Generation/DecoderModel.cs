using Inference.Onnx.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Inference.Onnx.Generation;

/// <summary>
/// A causal language model graph on ONNX Runtime: its inputs, outputs and cache layout are read from the session
/// metadata. One instance serves many <see cref="DecoderSequence"/>s; ONNX Runtime sessions are safe to run concurrently.
/// </summary>
public sealed class DecoderModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly Array _ones;
    private readonly Array _positions;

    public DecoderModel(InferenceSession session, ModelConfig config, string folder)
    {
        _session = session;
        Cache = KvCacheLayout.Discover(session, config, folder)
            ?? throw new ModelFolderException(folder, "the ONNX graph has no key/value cache inputs (past_key_values.N.key/value or past_N); export it with past (\"-with-past\")");
        if (!session.InputMetadata.TryGetValue("input_ids", out var ids))
        {
            throw new ModelFolderException(folder, "the ONNX graph has no 'input_ids' input");
        }

        if (!session.OutputMetadata.TryGetValue("logits", out var logits))
        {
            throw new ModelFolderException(folder, "the ONNX graph has no 'logits' output");
        }

        IdsType = ids.ElementDataType;
        MaskType = session.InputMetadata.TryGetValue("attention_mask", out var mask) ? mask.ElementDataType : null;
        PositionType = session.InputMetadata.TryGetValue("position_ids", out var pos) ? pos.ElementDataType : null;
        VocabSize = logits.Dimensions is [.., > 0 and var v] ? v : config.VocabSize
            ?? throw new ModelFolderException(folder, "cannot tell the vocabulary size: 'logits' is symbolic and the config has no vocab_size");
        ContextLength = config.ContextLength ?? 2048;
        var batchAxis = Cache.Style == KvCacheStyle.Combined ? 1 : 0;
        CanBatch = MaskType is not null && PositionType is not null && ids.Dimensions is [< 1, ..]
            && session.InputMetadata[Cache.PastInputs[0]].Dimensions is var past && past.Length > batchAxis && past[batchAxis] < 1;

        _inputNames = [.. new[] { "input_ids", MaskType is null ? null : "attention_mask", PositionType is null ? null : "position_ids" }.OfType<string>(), .. Cache.PastInputs];
        _outputNames = ["logits", .. Cache.PresentOutputs];
        _ones = Filled(MaskType ?? TensorElementType.Int64, ContextLength, _ => 1);
        _positions = Filled(PositionType ?? TensorElementType.Int64, ContextLength, i => i);
    }

    public KvCacheLayout Cache { get; }

    public int VocabSize { get; }

    public int ContextLength { get; }

    /// <summary>
    /// True when several sequences can share a step: the graph takes an attention mask and position ids (so rows of
    /// different lengths can be padded) and leaves its batch dimension free.
    /// </summary>
    public bool CanBatch { get; }

    internal TensorElementType IdsType { get; }

    internal TensorElementType? MaskType { get; }

    internal TensorElementType? PositionType { get; }

    internal int InputCount => _inputNames.Length;

    public DecoderSequence StartSequence() => new(this);

    /// <summary>
    /// Runs <paramref name="tokens"/> after what the sequence already holds, appends them to its cache and returns the
    /// logits of every new position ([tokens, vocab], valid until the sequence's next step).
    /// </summary>
    internal ReadOnlySpan<float> Run(DecoderSequence sequence, ReadOnlySpan<int> tokens)
    {
        var past = sequence.Length;
        var total = past + tokens.Length;
        if (total > ContextLength)
        {
            throw new ContextWindowExceededException(total, ContextLength);
        }

        var inputs = sequence.InputValues;
        var i = 0;
        inputs[i++] = sequence.CreateIdsValue(tokens);
        if (MaskType is { } maskType)
        {
            inputs[i++] = Slice(_ones, maskType, 0, total);
        }

        if (PositionType is { } positionType)
        {
            inputs[i++] = Slice(_positions, positionType, past, tokens.Length);
        }

        var firstPast = i;
        for (var layer = 0; layer < Cache.PastInputs.Count; layer++)
        {
            inputs[i++] = sequence.PastValue(layer);
        }

        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            outputs = _session.Run(sequence.RunOptions, _inputNames, inputs, _outputNames);
        }
        finally
        {
            // The id/mask/position values wrap pinned managed memory; past values belong to the sequence.
            for (var k = 0; k < firstPast; k++)
            {
                inputs[k].Dispose();
            }
        }

        sequence.Advance(outputs, tokens.Length);
        return outputs[0].GetTensorDataAsSpan<float>();
    }

    /// <summary>Runs the graph on inputs in its order (ids, mask, positions, then the past values); the caller owns the outputs.</summary>
    internal IDisposableReadOnlyCollection<OrtValue> Run(RunOptions options, IReadOnlyCollection<OrtValue> inputs) =>
        _session.Run(options, _inputNames, inputs, _outputNames);

    private static OrtValue Slice(Array source, TensorElementType type, int start, int length) => type switch
    {
        TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, ((long[])source).AsMemory(start, length), [1, length]),
        TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, ((int[])source).AsMemory(start, length), [1, length]),
        _ => throw new NotSupportedException($"Element type {type} is not supported for masks and positions."),
    };

    private static Array Filled(TensorElementType type, int length, Func<int, int> value) => type switch
    {
        TensorElementType.Int64 => Enumerable.Range(0, length).Select(i => (long)value(i)).ToArray(),
        TensorElementType.Int32 => Enumerable.Range(0, length).Select(value).ToArray(),
        _ => throw new NotSupportedException($"Element type {type} is not supported for masks and positions."),
    };

    public void Dispose() => _session.Dispose();
}
