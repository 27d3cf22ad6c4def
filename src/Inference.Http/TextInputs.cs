using System.Text.Json;

namespace Inference.Http;

/// <summary>
/// The texts of a request field that is one string or an array of strings (OpenAI's embeddings <c>input</c>, vLLM's
/// classify <c>input</c>, TEI's <c>inputs</c>, an inference request's <c>text</c>): none missing, none empty, not too many.
/// </summary>
public static class TextInputs
{
    /// <summary>The texts, and whether the field was one string; or why not (a message naming <paramref name="param"/>).</summary>
    /// <param name="done">What is done to a text, for the message about an empty one ("embedded", "classified").</param>
    public static (List<string> Texts, bool Single, string? Error) Read(JsonElement? input, string param, int maxInputs, string done)
    {
        switch (input)
        {
            case { ValueKind: JsonValueKind.String } s:
                return s.GetString() is { Length: > 0 } text ? ([text], true, null) : ([], true, $"{param} is empty; empty strings cannot be {done}.");
            case { ValueKind: JsonValueKind.Array } a when a.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String):
                List<string> texts = [.. a.EnumerateArray().Select(e => e.GetString()!)];
                if (texts.Count == 0)
                {
                    return (texts, false, $"{param} must not be an empty array.");
                }

                if (texts.Count > maxInputs)
                {
                    return (texts, false, $"{param} has {texts.Count} items; at most {maxInputs} are allowed.");
                }

                var empty = texts.FindIndex(t => t.Length == 0);
                return empty >= 0 ? (texts, false, $"{param}[{empty}] is empty; empty strings cannot be {done}.") : (texts, false, null);
            case { ValueKind: JsonValueKind.Array }:
                return ([], false, $"{param} must be a string or an array of strings (token arrays and nested arrays are not supported).");
            default:
                return ([], false, $"You must provide {param}: a string or an array of strings.");
        }
    }
}
