using System.Text.Json;

namespace Inference.Cli;

/// <summary>JSON values as table cells: "—" for what is missing.</summary>
internal static class Text
{
    public const string None = "—";

    public static string Of(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) ? Of(value) : None;

    public static string Of(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? None,
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(Of)),
        _ => None,
    };

    public static string Milliseconds(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble() >= 1000 ? $"{value.GetDouble() / 1000:0.00} s" : $"{value.GetDouble():0} ms"
            : None;
}
