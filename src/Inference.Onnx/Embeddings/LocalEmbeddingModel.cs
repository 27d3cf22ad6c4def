using System.Numerics.Tensors;
using Inference.Onnx.Models;
using Inference.Onnx.Scheduling;
using Inference.Onnx.Tokenization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;

namespace Inference.Onnx.Embeddings;

/// <summary>A loaded BERT-family (or static) embedding model: graph, WordPiece tokenizer, pooling and queue.</summary>
public sealed class LocalEmbeddingModel : IDisposable
{
    private long _batches;
    private long _batchedInputs;

    private LocalEmbeddingModel(string id, string folder, InferenceSession session, BertTokenizer tokenizer, OnnxEngineOptions options)
    {
        Id = id;
        Folder = folder;
        Session = session;
        Tokenizer = tokenizer;
        BatchSize = options.EmbeddingBatchSize;
        Queue = new ModelRequestQueue(id, options.MaxConcurrentRequests, options.MaxQueuedRequests);
        EngineTelemetry.Track(Queue);
        Batcher = new EmbeddingBatcher(Run, Queue, BatchSize, options.EmbeddingBatchTimeout);
    }

    public string Id { get; }

    public string Folder { get; }

    public BertTokenizer Tokenizer { get; }

    public int Dimensions { get; private init; }

    /// <summary>The ONNX file loaded, of those the folder holds.</summary>
    public string OnnxPath { get; private init; } = "";

    /// <summary>Parameter count and storage precision, read from the ONNX file.</summary>
    public OnnxWeights Weights { get; private init; } = new(0, "F32");

    /// <summary>Tokens per input at most, [CLS] and [SEP] included; longer inputs are truncated.</summary>
    public int MaxTokens { get; private init; }

    public PoolingMode Pooling { get; private init; }

    public bool Normalize { get; private init; }

    public int BatchSize { get; }

    public ModelRequestQueue Queue { get; }

    internal EmbeddingBatcher Batcher { get; }

    /// <summary>ONNX runs since the model was loaded.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Inputs embedded in those runs (divided by <see cref="Batches"/>: the mean batch).</summary>
    public long BatchedInputs => Interlocked.Read(ref _batchedInputs);

    internal InferenceSession Session { get; }

    internal RunOptions RunOptions { get; } = new();

    internal string OutputName { get; private init; } = "";

    internal TensorElementType IdsType { get; private init; }

    internal bool HasTokenTypes { get; private init; }

    /// <summary>
    /// Rows may be pairs (<c>[CLS] a [SEP] b [SEP]</c>, a classifier's): the token types are 1 after the first
    /// separator, as BERT reads the second text of a pair. A single text has its only separator last, so all 0.
    /// </summary>
    internal bool ReadsPairs { get; set; }

    public static LocalEmbeddingModel Load(string id, string folder, OnnxEngineOptions options) => Load(id, folder, options, graphOutput: null);

    /// <summary>
    /// Loads the encoder; with <paramref name="graphOutput"/>, each row of that output is taken as it is (no pooling, no
    /// normalisation): a classifier's <c>logits</c>.
    /// </summary>
    internal static LocalEmbeddingModel Load(string id, string folder, OnnxEngineOptions options, string? graphOutput)
    {
        if (!Directory.Exists(folder))
        {
            throw new ModelFolderException(folder, "the folder does not exist");
        }

        var config = ModelConfig.Load(folder);
        var tokenizer = ModelTokenizerLoader.Load(folder);
        if (tokenizer.Inner is not BertTokenizer bert)
        {
            throw new ModelFolderException(folder, $"embedding models need a WordPiece (BERT) tokenizer; this one is {tokenizer.Family}");
        }

        var onnxPath = ModelPrecision.Resolve(folder, options.Precision);
        var weights = OnnxWeightsInspector.Inspect(onnxPath);
        var session = OnnxSessionFactory.Create(folder, onnxPath, options);
        try
        {
            var pooling = graphOutput is null ? ReadPooling(folder, config) : PoolingMode.Graph;
            var output = graphOutput is not null
                ? session.OutputMetadata.ContainsKey(graphOutput) ? graphOutput : throw new ModelFolderException(folder, $"the ONNX graph has no output {graphOutput} (it has {string.Join(", ", session.OutputMetadata.Keys)})")
                : pooling == PoolingMode.Graph ? "sentence_embedding"
                : session.OutputMetadata.ContainsKey("last_hidden_state") ? "last_hidden_state"
                : session.OutputMetadata.ContainsKey("token_embeddings") ? "token_embeddings"
                : session.OutputMetadata.ContainsKey("sentence_embedding") ? "sentence_embedding"
                : throw new ModelFolderException(folder, $"the ONNX graph has none of the outputs last_hidden_state, token_embeddings, sentence_embedding (it has {string.Join(", ", session.OutputMetadata.Keys)})");
            if (output == "sentence_embedding")
            {
                pooling = PoolingMode.Graph;
            }

            if (!session.InputMetadata.TryGetValue("input_ids", out var ids) || !session.InputMetadata.ContainsKey("attention_mask"))
            {
                throw new ModelFolderException(folder, "the ONNX graph needs input_ids and attention_mask inputs");
            }

            var dims = session.OutputMetadata[output].Dimensions is [.., > 0 and var d] ? d : config.HiddenSize
                ?? throw new ModelFolderException(folder, "cannot tell the embedding size: the output is symbolic and config.json has no hidden_size");
            var limits = new[] { tokenizer.MaxLength, config.ContextLength }.OfType<int>().ToList();
            return new LocalEmbeddingModel(id, folder, session, bert, options)
            {
                OnnxPath = onnxPath,
                Weights = weights,
                Dimensions = dims,
                MaxTokens = limits.Count > 0 ? limits.Min() : 512,
                Pooling = pooling,
                Normalize = graphOutput is null && (config.Normalize ?? true),
                OutputName = output,
                IdsType = ids.ElementDataType,
                HasTokenTypes = session.InputMetadata.ContainsKey("token_type_ids"),
            };
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>config.json's "pooling", else sentence-transformers' 1_Pooling/config.json, else mean.</summary>
    private static PoolingMode ReadPooling(string folder, ModelConfig config)
    {
        var mode = config.Pooling;
        if (mode is null && JsonFile.ReadOptional(Path.Combine(folder, "1_Pooling"), "config.json") is { } st)
        {
            mode = st.Bool("pooling_mode_cls_token") == true ? "cls" : "mean";
        }

        return mode?.ToLowerInvariant() switch
        {
            null or "mean" => PoolingMode.Mean,
            "cls" => PoolingMode.Cls,
            var other => throw new ModelFolderException(folder, $"unsupported pooling '{other}' (supported: mean, cls)"),
        };
    }

    public void Dispose()
    {
        Batcher.Dispose();
        Queue.Dispose();
        RunOptions.Dispose();
        Session.Dispose();
    }

    /// <summary>
    /// [CLS] text [SEP], as the reference tokenizers encode it. A text longer than the model reads is truncated to fit
    /// (<paramref name="truncate"/>, as embedding services do) or refused with <see cref="ContextWindowExceededException"/>.
    /// </summary>
    public long[] Encode(string text, bool truncate) => Encode(text, truncate, out _);

    /// <inheritdoc cref="Encode(string, bool)"/>
    /// <param name="truncated">True when the text was cut to fit.</param>
    public long[] Encode(string text, bool truncate, out bool truncated)
    {
        var ids = Tokenizer.EncodeToIds(text, addSpecialTokens: false);
        truncated = ids.Count + 2 > MaxTokens;
        if (!truncate && truncated)
        {
            throw new ContextWindowExceededException(ids.Count + 2, MaxTokens);
        }

        var kept = Math.Min(ids.Count, MaxTokens - 2);
        var result = new long[kept + 2];
        result[0] = Tokenizer.ClassificationTokenId;
        for (var i = 0; i < kept; i++)
        {
            result[i + 1] = ids[i];
        }

        result[^1] = Tokenizer.SeparatorTokenId;
        return result;
    }

    /// <summary>
    /// [CLS] first [SEP] second [SEP]. A pair longer than the model reads has its second text cut to fit
    /// (<paramref name="truncate"/>, as transformers' <c>only_second</c>; <paramref name="truncated"/> says so) or is
    /// refused with <see cref="ContextWindowExceededException"/>; a first text that leaves no room is always refused.
    /// </summary>
    public long[] EncodePair(string first, string second, bool truncate, out bool truncated)
    {
        var a = Tokenizer.EncodeToIds(first, addSpecialTokens: false);
        var b = Tokenizer.EncodeToIds(second, addSpecialTokens: false);
        var total = a.Count + b.Count + 3;
        truncated = total > MaxTokens;
        if (truncated && (!truncate || a.Count + 4 > MaxTokens))
        {
            throw new ContextWindowExceededException(total, MaxTokens);
        }

        var kept = Math.Min(b.Count, MaxTokens - a.Count - 3);
        var result = new long[a.Count + kept + 3];
        result[0] = Tokenizer.ClassificationTokenId;
        for (var i = 0; i < a.Count; i++)
        {
            result[i + 1] = a[i];
        }

        result[a.Count + 1] = Tokenizer.SeparatorTokenId;
        for (var i = 0; i < kept; i++)
        {
            result[a.Count + 2 + i] = b[i];
        }

        result[^1] = Tokenizer.SeparatorTokenId;
        return result;
    }

    /// <summary>Embeds one padded batch in one ONNX run: a vector per row, pooled and normalised.</summary>
    internal List<float[]> Run(List<long[]> batch)
    {
        var rows = batch.Count;
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _batchedInputs, rows);
        var width = batch.Max(t => t.Length);
        var ids = new long[rows * width];
        var mask = new long[rows * width];
        Array.Fill(ids, Tokenizer.PaddingTokenId);
        for (var r = 0; r < rows; r++)
        {
            batch[r].CopyTo(ids, r * width);
            mask.AsSpan(r * width, batch[r].Length).Fill(1);
        }

        long[] shape = [rows, width];
        var names = new List<string> { "input_ids", "attention_mask" };
        var values = new List<OrtValue> { Ids(ids, shape), Ids(mask, shape) };
        if (HasTokenTypes)
        {
            names.Add("token_type_ids");
            values.Add(Ids(TokenTypes(batch, width), shape));
        }

        try
        {
            using var outputs = Session.Run(RunOptions, names, values, [OutputName]);
            var data = outputs[0].GetTensorDataAsSpan<float>();
            var dims = Dimensions;
            var vectors = new List<float[]>(rows);
            for (var r = 0; r < rows; r++)
            {
                var vector = new float[dims];
                switch (Pooling)
                {
                    case PoolingMode.Graph:
                        data.Slice(r * dims, dims).CopyTo(vector);
                        break;
                    case PoolingMode.Cls:
                        data.Slice(r * width * dims, dims).CopyTo(vector);
                        break;
                    default:
                        var length = batch[r].Length;
                        for (var t = 0; t < length; t++)
                        {
                            TensorPrimitives.Add(vector, data.Slice(((r * width) + t) * dims, dims), vector);
                        }

                        TensorPrimitives.Divide(vector, length, vector);
                        break;
                }

                if (Normalize)
                {
                    var norm = TensorPrimitives.Norm<float>(vector);
                    if (norm > 0)
                    {
                        TensorPrimitives.Divide(vector, norm, vector);
                    }
                }

                vectors.Add(vector);
            }

            return vectors;
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    private long[] TokenTypes(List<long[]> batch, int width)
    {
        var types = new long[batch.Count * width];
        if (ReadsPairs)
        {
            for (var r = 0; r < batch.Count; r++)
            {
                var separator = Array.IndexOf(batch[r], Tokenizer.SeparatorTokenId);
                types.AsSpan((r * width) + separator + 1, batch[r].Length - separator - 1).Fill(1);
            }
        }

        return types;
    }

    private OrtValue Ids(long[] data, long[] shape) => IdsType == TensorElementType.Int32
        ? OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(data, v => (int)v), shape)
        : OrtValue.CreateTensorValueFromMemory(data, shape);
}
