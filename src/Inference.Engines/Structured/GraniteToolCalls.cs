using System.Text.Json;
using Inference.Engines.Grammars;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>IBM Granite's calls: <c>&lt;|tool_call|&gt;[{"name": ..., "arguments": {...}}, ...]</c>.</summary>
internal sealed class GraniteToolCalls : ToolCallSyntax
{
    private const string Marker = "<|tool_call|>";

    public override string Name => "granite";

    public override IReadOnlyList<string> Markup => [Marker];

    public override string CallRule(string name, string arguments) =>
        $"{GrammarText.Literal("{\"name\": " + JsonSerializer.Serialize(name) + ", \"arguments\": ")} {arguments} \"}}\"";

    public override string CallsRule(bool parallel, int max) =>
        $"{GrammarText.Literal(Marker + "[")} tool-call {(parallel ? $"(\", \" tool-call){{0,{max - 1}}} " : "")}\"]\"";

    public override string FreeText => "([^<] .*)?";

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
        rest = rest.StartsWith("[") ? rest[1..].TrimStart() : [];
        while (!rest.IsEmpty && rest[0] == '{' && JsonLength(rest) is var length and > 0 && CallFrom(rest[..length], "arguments", "parameters") is { } call)
        {
            calls.Add(call);
            rest = rest[length..].TrimStart().TrimStart(',').TrimStart();
        }

        complete = rest.Trim().SequenceEqual("]");
        return calls;
    }
}
