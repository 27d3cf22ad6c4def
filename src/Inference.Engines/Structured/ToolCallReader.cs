using System.Text;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>
/// Tool calls out of the answer: text that starts like a call is held back and ends as <see cref="FunctionCallContent"/>
/// with finish reason tool_calls; other text streams. A call the length cut short is never given as text: the calls
/// completed before it are the answer, its finish reason length.
/// </summary>
internal sealed class ToolCallReader(ToolCallSyntax syntax) : OutputReader
{
    private readonly StringBuilder _held = new();
    private bool _streaming;

    public override void Read(string text, List<AIContent> into)
    {
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

    public override ChatFinishReason? Finish(ChatFinishReason? reason, List<AIContent> into)
    {
        if (_streaming)
        {
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
