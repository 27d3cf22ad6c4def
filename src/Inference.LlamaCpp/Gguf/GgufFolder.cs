using System.Text.RegularExpressions;

namespace Inference.LlamaCpp.Gguf;

/// <summary>
/// A model folder in the Hugging Face GGUF repository layout: several quantizations of one model
/// (<c>name.Q4_K_M.gguf</c>, <c>name-Q8_0.gguf</c>, split files <c>-00001-of-00003.gguf</c>), and perhaps a
/// multimodal projector (<c>mmproj-*.gguf</c>) that is not a model on its own. The file loaded follows a
/// quantization preference, read from the file names; the chosen file's header is then read and checked.
/// </summary>
public static partial class GgufFolder
{
    public const string Extension = ".gguf";

    /// <summary>True for a .gguf file, or a folder holding one.</summary>
    public static bool HoldsModel(string path) =>
        File.Exists(path) ? IsGguf(path) : Directory.Exists(path) && Candidates(path).Any();

    /// <summary>The file to load from a folder (or the file itself), by the preference; null when there is none.</summary>
    public static string? Select(string path, IReadOnlyList<string> preference)
    {
        if (File.Exists(path))
        {
            return path;
        }

        return Candidates(path)
            .Select(file => (File: file, Rank: Rank(QuantizationOf(file), preference)))
            .OrderBy(c => c.Rank)
            .ThenBy(c => Path.GetFileName(c.File), StringComparer.Ordinal)
            .Select(c => c.File)
            .FirstOrDefault();
    }

    /// <summary>The quantization a file's name carries (Q4_K_M, Q8_0, F16...), or null when it names none.</summary>
    public static string? QuantizationOf(string file) =>
        NameParts().Split(Path.GetFileNameWithoutExtension(file))
            .Select(part => part.ToUpperInvariant())
            .LastOrDefault(part => QuantizationName().IsMatch(part));

    private static int Rank(string? quantization, IReadOnlyList<string> preference)
    {
        for (var i = 0; i < preference.Count; i++)
        {
            if (string.Equals(preference[i], quantization, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return preference.Count;
    }

    private static IEnumerable<string> Candidates(string folder) =>
        Directory.EnumerateFiles(folder, "*" + Extension).Where(f =>
            !Path.GetFileName(f).StartsWith("mmproj", StringComparison.OrdinalIgnoreCase) && IsFirstPart(f));

    /// <summary>Split models load from their first part; llama.cpp finds the others beside it.</summary>
    private static bool IsFirstPart(string file)
    {
        var split = SplitPart().Match(file);
        return !split.Success || split.Groups[1].Value == "00001";
    }

    private static bool IsGguf(string file) => file.EndsWith(Extension, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"-(\d{5})-of-\d{5}\.gguf$", RegexOptions.IgnoreCase)]
    private static partial Regex SplitPart();

    [GeneratedRegex(@"[.\-\s]+")]
    private static partial Regex NameParts();

    [GeneratedRegex(@"^(I?Q\d(_[A-Z0-9]+)*|F16|F32|BF16|MXFP4(_MOE)?|TQ\d_0)$")]
    private static partial Regex QuantizationName();
}
