using System.Text.RegularExpressions;
using Inference.Onnx.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Inference.Onnx.Generation;

/// <summary>
/// How a decoder graph carries its key/value cache, discovered from the session's inputs and outputs:
/// optimum's <c>past_key_values.N.key/value</c> → <c>present.N.key/value</c>, each [batch, kv_heads, seq, head_size],
/// or GPT-2's <c>past_N</c> → <c>present_N</c>, each [2, batch, heads, seq, head_size].
/// </summary>
public sealed partial record KvCacheLayout(
    KvCacheStyle Style,
    IReadOnlyList<string> PastInputs,
    IReadOnlyList<string> PresentOutputs,
    int KvHeads,
    int HeadSize,
    TensorElementType ElementType)
{
    public int Layers => Style == KvCacheStyle.Combined ? PastInputs.Count : PastInputs.Count / 2;

    /// <summary>The shape of one past input holding <paramref name="sequenceLength"/> positions for one sequence.</summary>
    public long[] PastShape(int sequenceLength) => Style == KvCacheStyle.Combined
        ? [2, 1, KvHeads, sequenceLength, HeadSize]
        : [1, KvHeads, sequenceLength, HeadSize];

    public static KvCacheLayout? Discover(InferenceSession session, ModelConfig config, string folder)
    {
        var optimum = session.InputMetadata.Keys.Select(n => (Name: n, Match: OptimumPast().Match(n))).Where(x => x.Match.Success).ToList();
        var gpt2 = session.InputMetadata.Keys.Select(n => (Name: n, Match: Gpt2Past().Match(n))).Where(x => x.Match.Success).ToList();
        if (optimum.Count == 0 && gpt2.Count == 0)
        {
            return null;
        }

        var style = optimum.Count > 0 ? KvCacheStyle.Separate : KvCacheStyle.Combined;
        var inputs = (style == KvCacheStyle.Separate ? optimum : gpt2)
            .OrderBy(x => int.Parse(x.Match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .ThenBy(x => x.Match.Groups.Count > 2 ? x.Match.Groups[2].Value : "", StringComparer.Ordinal)
            .Select(x => x.Name)
            .ToList();
        var outputs = inputs.Select(name => PresentName(name, style)).ToList();
        foreach (var output in outputs.Where(o => !session.OutputMetadata.ContainsKey(o)))
        {
            throw new ModelFolderException(folder, $"the ONNX graph has cache input for '{output}' but no such output");
        }

        var meta = session.InputMetadata[inputs[0]];
        var dims = meta.Dimensions;
        var headsAxis = style == KvCacheStyle.Combined ? 2 : 1;
        var heads = dims.Length > headsAxis && dims[headsAxis] > 0 ? dims[headsAxis] : config.NumKeyValueHeads;
        var headSize = dims.Length > 0 && dims[^1] > 0 ? dims[^1] : config.HeadSize;
        if (heads is not int h || headSize is not int d)
        {
            throw new ModelFolderException(folder, $"cannot tell the cache's head count and head size: the graph leaves them symbolic and the config does not state num_key_value_heads/head_dim");
        }

        if (meta.ElementDataType != TensorElementType.Float)
        {
            throw new ModelFolderException(folder, $"the key/value cache is {meta.ElementDataType}; this engine runs float32 caches (choose an fp32, int8 or q4 export)");
        }

        return new KvCacheLayout(style, inputs, outputs, h, d, meta.ElementDataType);
    }

    private static string PresentName(string pastName, KvCacheStyle style) => style == KvCacheStyle.Combined
        ? "present_" + pastName["past_".Length..]
        : "present" + pastName["past_key_values".Length..];

    [GeneratedRegex(@"^past_key_values\.(\d+)\.(key|value)$")]
    private static partial Regex OptimumPast();

    [GeneratedRegex(@"^past_(\d+)$")]
    private static partial Regex Gpt2Past();
}
