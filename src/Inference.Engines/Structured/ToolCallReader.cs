using System.Text;
using Inference.Engines.Text;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>
/// Tool calls out of the answer. Where the family writes calls only as the whole output, text that starts like a call
/// is held back; where it may write text first (<see cref="ToolCallSyntax.CallsOpener"/>), text streams until the calls
/// open and what follows is held. Held calls end as <see cref="FunctionCallContent"/> with finish reason tool_calls. A
/// call the length cut short is never given as text: the calls completed before it are the answer, its finish reason length.
/// </summary>
internal sealed class ToolCallReader(ToolCallSyntax syntax) : OutputReader
{
    private readonly StringBuilder _held = new();
    private bool _streaming;
    private bool _calling;

    public override void Read(string text, List<AIContent> into)
    {
        if (syntax.CallsOpener is { } opener)
        {
            ReadBeforeCalls(text, opener, into);
            return;
        }

        if (_streaming)
        {
            if (text.Length > 0)
            {
                into.Add(new TextContent(text));
            }

            return;
        }

        _held.Append(text);
        if (_held.Length > 0 && !syntax.MayBeCall(_held.ToString()))
        {
            // Plain text: what was held goes out now, the rest as it comes.
            _streaming = true;
            into.Add(new TextContent(_held.ToString()));
            _held.Clear();
        }
    }

    /// <summary>Text streams until the calls open; from there on everything is held.</summary>
    private void ReadBeforeCalls(string text, string opener, List<AIContent> into)
    {
        _held.Append(text);
        if (_calling)
        {
            return;
        }

        var buffer = _held.ToString();
        var open = buffer.IndexOf(opener, StringComparison.Ordinal);
        // Held back: what may be the opener begun, and the whitespace before it (it belongs to neither).
        var partial = open >= 0 ? 0 : PartialMatch.Suffix(buffer, opener);
        var give = open >= 0 ? open : buffer.Length - partial - (buffer.Length - partial - buffer[..^partial].TrimEnd().Length);
        if (open >= 0)
        {
            _calling = true;
        }

        var before = buffer[..give];
        if (open >= 0)
        {
            before = before.TrimEnd();
        }

        if (before.Length > 0)
        {
            into.Add(new TextContent(before));
        }

        _held.Clear().Append(buffer[give..]);
    }

    public override ChatFinishReason? Finish(ChatFinishReason? reason, List<AIContent> into)
    {
        if (_streaming || (syntax.CallsOpener is not null && !_calling))
        {
            if (_held.Length > 0)
            {
                into.Add(new TextContent(_held.ToString()));
                _held.Clear();
            }

            return reason;
        }

        var text = _held.ToString();
        var cut = reason == ChatFinishReason.Length && text.Length > 0;
        var calls = reason == ChatFinishReason.Stop ? syntax.Parse(text)
            : cut ? syntax.ParseCompleted(text)
            : null;
        if (calls is null)
        {
            if (text.Length > 0)
            {
                into.Add(new TextContent(text));
            }

            return reason;
        }

        into.AddRange(calls);
        return cut ? reason : ChatFinishReason.ToolCalls;
    }
}
