using Inference.Engines.Grammars;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary><c>&lt;tool_call&gt;\n{"name": ..., "arguments": {...}}\n&lt;/tool_call&gt;</c>, calls one per block.</summary>
internal sealed class HermesToolCalls : ToolCallSyntax
{
    private const string Open = "<tool_call>";
    private const string Close = "</tool_call>";

    public override string Name => "hermes";

    public override IReadOnlyList<string> Markup => [Open, Close];

    public override string? CallsOpener => Open;

    public override string CallRule(string name, string arguments) =>
        $"{GrammarText.Literal(ToolPrompt.CallOpen + ToolPrompt.CallHead(name))} {arguments} {GrammarText.Literal("}" + ToolPrompt.CallClose)}";

    public override string FreeText => "([^<] .*)?";

    public override bool MayBeCall(string text) =>
        text.StartsWith(ToolPrompt.CallOpen, StringComparison.Ordinal) || ToolPrompt.CallOpen.StartsWith(text, StringComparison.Ordinal);

    public override List<FunctionCallContent> Read(string text, out bool complete)
    {
        var calls = new List<FunctionCallContent>();
        var rest = text.AsSpan().Trim();
        complete = false;
        while (!rest.IsEmpty)
        {
            if (!rest.StartsWith(Open, StringComparison.Ordinal))
            {
                return calls;
            }

            var close = rest.IndexOf(Close, StringComparison.Ordinal);
            if (close < 0)
            {
                return calls;
            }

            var call = CallFrom(rest[Open.Length..close].Trim(), "arguments", "parameters");
            rest = rest[(close + Close.Length)..].TrimStart();
            if (call is null)
            {
                return calls;
            }

            calls.Add(call);
        }

        complete = true;
        return calls;
    }
}
