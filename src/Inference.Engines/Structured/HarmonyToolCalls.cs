using Inference.Engines.Grammars;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>
/// Harmony's call (GPT-OSS): a message on the commentary channel to <c>functions.NAME</c>, its arguments JSON, ended by
/// <c>&lt;|call|&gt;</c> (an end-of-generation token: a response makes one call). Read with the rest of the channels by
/// <see cref="HarmonyOutputReader"/>.
/// </summary>
internal sealed class HarmonyToolCalls : ToolCallSyntax
{
    public const string Channel = "<|channel|>";
    public const string Message = "<|message|>";
    public const string Recipient = " to=functions.";
    public const string Constrain = " <|constrain|>json";

    public override string Name => "harmony";

    public override IReadOnlyList<string> Markup => ["<|start|>", Channel, Message, "<|constrain|>", "<|end|>", "<|call|>", "<|return|>"];

    public override string CallRule(string name, string arguments) =>
        $"{GrammarText.Literal(Channel + "commentary" + Recipient + name + Constrain + Message)} {arguments}";

    public override string CallsRule(bool parallel, int max) => "tool-call";

    public override string FreeText => $"{GrammarText.Literal(Channel + "final" + Message)} .*";

    public override bool MayBeCall(string text) => true;

    public override List<FunctionCallContent> Read(string text, out bool complete)
    {
        complete = false;
        var start = text.IndexOf(Recipient, StringComparison.Ordinal);
        var body = text.IndexOf(Message, StringComparison.Ordinal);
        if (start < 0 || body < start)
        {
            return [];
        }

        var name = text[(start + Recipient.Length)..body];
        var end = name.IndexOfAny([' ', '<']);
        name = end < 0 ? name : name[..end];
        var json = text.AsSpan()[(body + Message.Length)..].Trim();
        foreach (var marker in new[] { "<|call|>", "<|end|>" })
        {
            if (json.EndsWith(marker, StringComparison.Ordinal))
            {
                json = json[..^marker.Length].TrimEnd();
            }
        }

        var length = JsonLength(json);
        if (length < 0 || length != json.Length)
        {
            return [];
        }

        using var document = System.Text.Json.JsonDocument.Parse(json.ToString());
        if (document.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            return [];
        }

        complete = true;
        return [new FunctionCallContent(NewCallId(), name, Arguments(document.RootElement))];
    }
}
