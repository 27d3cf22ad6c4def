using System.Text;
using Inference.Engines.Text;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>
/// An answer the model writes between markers (Command R's <c>&lt;|START_RESPONSE|&gt;...&lt;|END_RESPONSE|&gt;</c>): the
/// markers are taken off as the text streams, the rest read by <paramref name="answer"/>.
/// </summary>
internal sealed class AnswerUnwrapper(string open, string close, OutputReader answer) : OutputReader
{
    private readonly StringBuilder _held = new();
    private bool _started;

    public override void Read(string text, List<AIContent> into)
    {
        _held.Append(text);
        var buffer = _held.ToString();
        if (!_started)
        {
            var trimmed = buffer.TrimStart();
            if (open.StartsWith(trimmed, StringComparison.Ordinal) && trimmed.Length < open.Length)
            {
                return;
            }

            _started = true;
            buffer = trimmed.StartsWith(open, StringComparison.Ordinal) ? trimmed[open.Length..] : buffer;
        }

        var end = buffer.IndexOf(close, StringComparison.Ordinal);
        if (end >= 0)
        {
            buffer = buffer[..end];
        }

        var keep = end >= 0 ? 0 : PartialMatch.Suffix(buffer, close);
        answer.Read(buffer[..^keep], into);
        _held.Clear().Append(end >= 0 ? "" : buffer[^keep..]);
    }

    public override ChatFinishReason? Finish(ChatFinishReason? reason, List<AIContent> into)
    {
        answer.Read(_held.ToString(), into);
        _held.Clear();
        return answer.Finish(reason, into);
    }
}
