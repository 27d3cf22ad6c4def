using Inference.Engines.Grammars;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>
/// DeepSeek-R1's calls: <c>&lt;｜tool▁calls▁begin｜&gt;</c>, then per call <c>&lt;｜tool▁call▁begin｜&gt;function&lt;｜tool▁sep｜&gt;NAME</c>
/// and its arguments in a json code block, <c>&lt;｜tool▁call▁end｜&gt;</c>, then <c>&lt;｜tool▁calls▁end｜&gt;</c>.
/// </summary>
internal sealed class DeepSeekToolCalls : ToolCallSyntax
{
    private const string CallsBegin = "<｜tool▁calls▁begin｜>";
    private const string CallsEnd = "<｜tool▁calls▁end｜>";
    private const string CallBegin = "<｜tool▁call▁begin｜>";
    private const string CallEnd = "<｜tool▁call▁end｜>";
    private const string Separator = "<｜tool▁sep｜>";

    public override string Name => "deepseek-r1";

    public override IReadOnlyList<string> Markup => [CallsBegin, CallsEnd, CallBegin, CallEnd, Separator];

    public override string? CallsOpener => CallsBegin;

    public override string CallRule(string name, string arguments) =>
        $"{GrammarText.Literal(CallBegin + "function" + Separator + name + "\n```json\n")} {arguments} {GrammarText.Literal("\n```" + CallEnd)}";

    public override string CallsRule(bool parallel, int max) =>
        $"{GrammarText.Literal(CallsBegin)} tool-call {(parallel ? $"(\"\\n\" tool-call){{0,{max - 1}}} " : "")}{GrammarText.Literal(CallsEnd)}";

    public override string FreeText => "([^<] .*)?";

    public override bool MayBeCall(string text)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith(CallsBegin, StringComparison.Ordinal) || CallsBegin.StartsWith(trimmed, StringComparison.Ordinal);
    }

    public override List<FunctionCallContent> Read(string text, out bool complete)
    {
        var calls = new List<FunctionCallContent>();
        complete = false;
        var rest = text.AsSpan().Trim();
        if (!rest.StartsWith(CallsBegin, StringComparison.Ordinal))
        {
            return calls;
        }

        rest = rest[CallsBegin.Length..].TrimStart();
        while (rest.StartsWith(CallBegin, StringComparison.Ordinal))
        {
            var end = rest.IndexOf(CallEnd, StringComparison.Ordinal);
            var separator = rest.IndexOf(Separator, StringComparison.Ordinal);
            if (end < 0 || separator < 0 || separator > end)
            {
                return calls;
            }

            var body = rest[(separator + Separator.Length)..end];
            var newline = body.IndexOf('\n');
            if (newline < 0)
            {
                return calls;
            }

            var name = body[..newline].Trim().ToString();
            var json = body[newline..].Trim();
            json = json.StartsWith("```json", StringComparison.Ordinal) ? json[7..] : json;
            json = json.EndsWith("```", StringComparison.Ordinal) ? json[..^3] : json;
            if (CallFrom($"{{\"name\": {System.Text.Json.JsonSerializer.Serialize(name)}, \"arguments\": {json.Trim().ToString()}}}", "arguments") is not { } call)
            {
                return calls;
            }

            calls.Add(call);
            rest = rest[(end + CallEnd.Length)..].TrimStart();
        }

        complete = rest.StartsWith(CallsEnd, StringComparison.Ordinal) && rest[CallsEnd.Length..].Trim().IsEmpty;
        return calls;
    }
}
