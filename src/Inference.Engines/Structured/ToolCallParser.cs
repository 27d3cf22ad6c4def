using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>Reads the call blocks of <see cref="ToolPrompt"/> out of generated text.</summary>
public static class ToolCallParser
{
    /// <summary>True when <paramref name="text"/> could still become a call: it is a prefix of the call opening, or starts with it.</summary>
    public static bool MayBeCall(string text) =>
        text.StartsWith(ToolPrompt.CallOpen, StringComparison.Ordinal) || ToolPrompt.CallOpen.StartsWith(text, StringComparison.Ordinal);

    /// <summary>A call's arguments from their JSON object, as <see cref="FunctionCallContent.Arguments"/> holds them; empty for anything else.</summary>
    public static Dictionary<string, object?> Arguments(JsonElement arguments) =>
        arguments.ValueKind == JsonValueKind.Object
            ? arguments.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())
            : [];

    /// <summary>The calls in <paramref name="text"/>, or null when it is not wholly call blocks.</summary>
    public static List<FunctionCallContent>? Parse(string text) =>
        Read(text, out var complete) is { Count: > 0 } calls && complete ? calls : null;

    /// <summary>
    /// The calls completed in <paramref name="text"/> before it was cut short (none when the first was cut): the rest,
    /// a call begun but not finished, is dropped.
    /// </summary>
    public static List<FunctionCallContent> ParseCompleted(string text) => Read(text, out _) ?? [];

    /// <summary>The call blocks <paramref name="text"/> starts with; <paramref name="complete"/> is false when something else, or a part of a block, follows them.</summary>
    private static List<FunctionCallContent>? Read(string text, out bool complete)
    {
        var calls = new List<FunctionCallContent>();
        var rest = text.AsSpan().Trim();
        complete = false;
        while (!rest.IsEmpty)
        {
            if (!rest.StartsWith(ToolPrompt.CallOpen.TrimEnd('\n'), StringComparison.Ordinal))
            {
                return calls;
            }

            var close = rest.IndexOf("</tool_call>", StringComparison.Ordinal);
            if (close < 0)
            {
                return calls;
            }

            var json = rest[ToolPrompt.CallOpen.TrimEnd('\n').Length..close].Trim();
            rest = rest[(close + "</tool_call>".Length)..].TrimStart();
            try
            {
                using var document = JsonDocument.Parse(json.ToString());
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                {
                    return calls;
                }

                var arguments = Arguments(root.TryGetProperty("arguments", out var args) ? args : default);
                calls.Add(new FunctionCallContent("call_" + Guid.NewGuid().ToString("N")[..24], name.GetString()!, arguments));
            }
            catch (JsonException)
            {
                return calls;
            }
        }

        complete = true;
        return calls;
    }
}
