using System.Text.Json;
using System.Text.Json.Nodes;

namespace Inference.Onnx.Models;

/// <summary>Reads the small JSON files of a model folder, turning parse errors into <see cref="ModelFolderException"/>.</summary>
internal static class JsonFile
{
    public static JsonObject? ReadOptional(string folder, string fileName)
    {
        var path = Path.Combine(folder, fileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }) as JsonObject
                ?? throw new ModelFolderException(folder, $"{fileName} is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new ModelFolderException(folder, $"{fileName} is not valid JSON ({ex.Message})", ex);
        }
    }

    public static int? Int(this JsonObject? json, string name) =>
        json?[name] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;

    public static float? Float(this JsonObject? json, string name) =>
        json?[name] is JsonValue v && v.TryGetValue<double>(out var d) ? (float)d : null;

    public static bool? Bool(this JsonObject? json, string name) =>
        json?[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    public static string? String(this JsonObject? json, string name) =>
        json?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>An id that Hugging Face configs write either as a number or as a list of numbers.</summary>
    public static IReadOnlyList<int> IntOrList(this JsonObject? json, string name) => json?[name] switch
    {
        JsonValue v when v.TryGetValue<int>(out var i) => [i],
        JsonArray a => [.. a.OfType<JsonValue>().Select(x => x.TryGetValue<int>(out var i) ? i : -1).Where(i => i >= 0)],
        _ => [],
    };

    /// <summary>A special token written either as a plain string or as an AddedToken object with "content".</summary>
    public static string? TokenString(this JsonObject? json, string name) => json?[name] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject o => o.String("content"),
        _ => null,
    };
}
