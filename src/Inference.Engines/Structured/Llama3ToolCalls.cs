using System.Text.Json;
using Inference.Engines.Grammars;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>Llama 3.x's JSON call <c>{"name": ..., "parameters": {...}}</c>, optionally after <c>&lt;|python_tag|&gt;</c>; calls separated by <c>;</c>.</summary>
internal sealed class Llama3ToolCalls : ToolCallSyntax
{
    private const string PythonTag = "<|python_tag|>";

    public override string Name => "llama3";

    public override IReadOnlyList<string> Markup => [PythonTag];

    public override string CallRule(string name, string arguments) =>
        $"{GrammarText.Literal("{\"name\": " + JsonSerializer.Serialize(name) + ", \"parameters\": ")} {arguments} \"}}\"";

    public override string CallsRule(bool parallel, int max) =>
        parallel ? $"tool-call (\"; \" tool-call){{0,{max - 1}}}" : "tool-call";

    public override string FreeText => "([^{] .*)?";

    public override bool MayBeCall(string text)
    {
        var trimmed = text.TrimStart();
        return trimmed.Length == 0 || trimmed[0] == '{' || trimmed.StartsWith(PythonTag, StringComparison.Ordinal)
            || PythonTag.StartsWith(trimmed, StringComparison.Ordinal);
    }

    public override List<FunctionCallContent> Read(string text, out bool complete)
    {
        var calls = new List<FunctionCallContent>();
        var rest = text.AsSpan().Trim();
        if (rest.StartsWith(PythonTag, StringComparison.Ordinal))
        {
            rest = rest[PythonTag.Length..].TrimStart();
        }

        complete = false;
        while (!rest.IsEmpty)
        {
            var length = rest[0] == '{' ? JsonLength(rest) : -1;
            if (length < 0 || CallFrom(rest[..length], "parameters", "arguments") is not { } call)
            {
                return calls;
            }

            calls.Add(call);
            rest = rest[length..].TrimStart().TrimStart(';').TrimStart();
        }

        complete = true;
        return calls;
    }
}
