using System.Text.Json;
using Inference.Engines.Grammars;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>
/// A marker, then one JSON array of calls: Mistral's <c>[TOOL_CALLS] [{"name": ..., "arguments": {...}, "id": "abcdefghi"}, ...]</c>
/// (ids of nine letters or digits) and Granite's <c>&lt;|tool_call|&gt;[{"name": ..., "arguments": {...}}, ...]</c>.
/// </summary>
/// <param name="gap">What stands between the marker and the array.</param>
/// <param name="ids">Each call carries its id.</param>
internal sealed class MarkedArrayToolCalls(string name, string marker, string gap, bool ids) : ToolCallSyntax
{
    public override string Name => name;

    public override IReadOnlyList<string> Markup => [marker];

    public override string CallRule(string name, string arguments) =>
        $"{GrammarText.Literal("{\"name\": " + JsonSerializer.Serialize(name) + ", \"arguments\": ")} {arguments} " +
        (ids ? "\", \\\"id\\\": \\\"\" [a-zA-Z0-9]{9} \"\\\"}\"" : "\"}\"");

    public override string CallsRule(bool parallel, int max) =>
        $"{GrammarText.Literal(marker + gap + "[")} tool-call {(parallel ? $"(\", \" tool-call){{0,{max - 1}}} " : "")}\"]\"";

    public override string FreeText => marker[0] == '[' ? "([^\\[] .*)?" : $"([^{marker[0]}] .*)?";

    public override bool MayBeCall(string text)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith(marker, StringComparison.Ordinal) || marker.StartsWith(trimmed, StringComparison.Ordinal);
    }

    public override List<FunctionCallContent> Read(string text, out bool complete)
    {
        var calls = new List<FunctionCallContent>();
        complete = false;
        var rest = text.AsSpan().Trim();
        if (!rest.StartsWith(marker, StringComparison.Ordinal))
        {
            return calls;
        }

        rest = rest[marker.Length..].TrimStart();
        var length = JsonLength(rest);
        if (length < 0)
        {
            // Cut short: the calls whose objects are whole.
            return Completed(rest);
        }

        using var document = JsonDocument.Parse(rest[..length].ToString());
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            return calls;
        }

        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (CallFrom(item, "arguments", "parameters") is not { } call)
            {
                return calls;
            }

            calls.Add(item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? new FunctionCallContent(id.GetString()!, call.Name, call.Arguments) : call);
        }

        complete = rest[length..].Trim().IsEmpty;
        return calls;
    }

    private static List<FunctionCallContent> Completed(ReadOnlySpan<char> array)
    {
        var calls = new List<FunctionCallContent>();
        var rest = array.StartsWith("[") ? array[1..].TrimStart() : [];
        while (!rest.IsEmpty && JsonLength(rest) is var length and > 0 && CallFrom(rest[..length], "arguments", "parameters") is { } call)
        {
            calls.Add(call);
            rest = rest[length..].TrimStart().TrimStart(',').TrimStart();
        }

        return calls;
    }
}
