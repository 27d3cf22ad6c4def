using System.Text.Json;
using Inference.Engines.Grammars;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>
/// Cohere Command R's actions: <c>&lt;|START_ACTION|&gt;[{"tool_call_id": "0", "tool_name": ..., "parameters": {...}}, ...]&lt;|END_ACTION|&gt;</c>;
/// its answer comes between <c>&lt;|START_RESPONSE|&gt;</c> and <c>&lt;|END_RESPONSE|&gt;</c>, which are not part of it.
/// </summary>
internal sealed class CommandRToolCalls : ToolCallSyntax
{
    private const string Start = "<|START_ACTION|>";
    private const string End = "<|END_ACTION|>";

    public override string Name => "command-r";

    public override IReadOnlyList<string> Markup => [Start, End, "<|START_RESPONSE|>", "<|END_RESPONSE|>"];

    public override (string Open, string Close)? AnswerWrapper => ("<|START_RESPONSE|>", "<|END_RESPONSE|>");

    public override string CallRule(string name, string arguments) =>
        $"\"{{\\\"tool_call_id\\\": \\\"\" [0-9] \"\\\", \" {GrammarText.Literal("\"tool_name\": " + JsonSerializer.Serialize(name) + ", \"parameters\": ")} {arguments} \"}}\"";

    public override string CallsRule(bool parallel, int max) =>
        $"{GrammarText.Literal(Start + "[")} tool-call {(parallel ? $"(\", \" tool-call){{0,{max - 1}}} " : "")}{GrammarText.Literal("]" + End)}";

    public override string FreeText => $"({GrammarText.Literal("<|START_RESPONSE|>")} .* | ([^<] .*)?)";

    public override bool MayBeCall(string text)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith(Start, StringComparison.Ordinal) || Start.StartsWith(trimmed, StringComparison.Ordinal);
    }

    public override List<FunctionCallContent> Read(string text, out bool complete)
    {
        var calls = new List<FunctionCallContent>();
        complete = false;
        var rest = text.AsSpan().Trim();
        if (!rest.StartsWith(Start, StringComparison.Ordinal))
        {
            return calls;
        }

        rest = rest[Start.Length..].TrimStart();
        rest = rest.StartsWith("[") ? rest[1..].TrimStart() : [];
        while (!rest.IsEmpty && rest[0] == '{' && JsonLength(rest) is var length and > 0)
        {
            using var document = JsonDocument.Parse(rest[..length].ToString());
            var item = document.RootElement;
            if (!item.TryGetProperty("tool_name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                return calls;
            }

            calls.Add(new FunctionCallContent(NewCallId(), name.GetString()!, Arguments(item.TryGetProperty("parameters", out var parameters) ? parameters : default)));
            rest = rest[length..].TrimStart().TrimStart(',').TrimStart();
        }

        complete = rest.StartsWith("]") && rest[1..].Trim().SequenceEqual(End);
        return calls;
    }
}
