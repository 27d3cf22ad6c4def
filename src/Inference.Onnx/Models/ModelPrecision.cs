namespace Inference.Onnx.Models;

/// <summary>
/// Picks the ONNX file of a model folder for a precision, following the file names that optimum and
/// transformers.js use in <c>onnx/</c> (model.onnx, model_fp16.onnx, model_int8.onnx / model_quantized.onnx,
/// model_q4.onnx, model_q4f16.onnx, model_uint8.onnx).
/// </summary>
public static class ModelPrecision
{
    private static readonly Dictionary<string, string[]> FileNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["fp32"] = ["model.onnx"],
        ["fp16"] = ["model_fp16.onnx"],
        ["int8"] = ["model_int8.onnx", "model_quantized.onnx"],
        ["uint8"] = ["model_uint8.onnx"],
        ["q4"] = ["model_q4.onnx"],
        ["q4f16"] = ["model_q4f16.onnx"],
    };

    public static IReadOnlyCollection<string> Known => FileNames.Keys;

    /// <summary>Returns the ONNX file for <paramref name="precision"/>, or for "auto" the best available.</summary>
    public static string Resolve(string folder, string precision)
    {
        var available = OnnxFiles(folder);
        if (available.Count == 0)
        {
            throw new ModelFolderException(folder, "no ONNX file found (expected onnx/model.onnx or onnx/model_<precision>.onnx)");
        }

        if (string.Equals(precision, "auto", StringComparison.OrdinalIgnoreCase))
        {
            // fp32 first: on CPU it is the most accurate and usually fast enough for models that fit here.
            foreach (var p in new[] { "fp32", "int8", "q4", "uint8", "fp16", "q4f16" })
            {
                if (Find(available, p) is string path)
                {
                    return path;
                }
            }

            return available.OrderBy(p => p, StringComparer.Ordinal).First();
        }

        if (!FileNames.ContainsKey(precision))
        {
            throw new ModelFolderException(folder, $"unknown precision '{precision}' (known: auto, {string.Join(", ", FileNames.Keys)})");
        }

        return Find(available, precision) ?? throw new ModelFolderException(
            folder,
            $"no ONNX file for precision '{precision}' (looked for {string.Join(" or ", FileNames[precision])}; found {string.Join(", ", available.Select(Path.GetFileName))})");
    }

    /// <summary>The ONNX files of a model folder: in <c>onnx/</c> (optimum's layout) and at its top.</summary>
    public static List<string> OnnxFiles(string folder)
    {
        var onnxDir = Path.Combine(folder, "onnx");
        var searchDirs = Directory.Exists(onnxDir) ? new[] { onnxDir, folder } : [folder];
        return [.. searchDirs.SelectMany(d => Directory.EnumerateFiles(d, "*.onnx"))];
    }

    private static string? Find(List<string> available, string precision) =>
        FileNames[precision].Select(name => available.FirstOrDefault(p => Path.GetFileName(p) == name)).FirstOrDefault(p => p is not null);
}
