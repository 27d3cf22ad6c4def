using System.Text.Json;
using Inference.Engines.Grammars;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>Mistral's <c>[TOOL_CALLS] [{"name": ..., "arguments": {...}, "id": "abcdefghi"}, ...]</c>: one array of calls, ids of nine letters or digits.</summary>
internal sealed class MistralToolCalls : ToolCallSyntax
{
    private const string Marker = "[TOOL_CALLS]";

    public override string Name => "mistral";

    public override IReadOnlyList<string> Markup => [Marker];

    public override string CallRule(string name, string arguments) =>
        $"{GrammarText.Literal("{\"name\": " + JsonSerializer.Serialize(name) + ", \"arguments\": ")} {arguments} \", \\\"id\\\": \\\"\" [a-zA-Z0-9]{{9}} \"\\\"}}\"";

    public override string CallsRule(bool parallel, int max) =>
        $"{GrammarText.Literal(Marker + " [")} tool-call {(parallel ? $"(\", \" tool-call){{0,{max - 1}}} " : "")}\"]\"";

    public override string FreeText => "([^\\[] .*)?";

    public override bool MayBeCall(string text)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith(Marker, StringComparison.Ordinal) || Marker.StartsWith(trimmed, StringComparison.Ordinal);
    }

    public override List<FunctionCallContent> Read(string text, out bool complete)
    {
        var calls = new List<FunctionCallContent>();
        complete = false;
        var rest = text.AsSpan().Trim();
        if (!rest.StartsWith(Marker, StringComparison.Ordinal))
        {
            return calls;
        }

        rest = rest[Marker.Length..].TrimStart();
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
