using System.Text;
using Inference.Engines.Text;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>
/// Reasoning written between tags (<c>&lt;think&gt;...&lt;/think&gt;</c>: Qwen 3, DeepSeek-R1, SmolLM3) at the start of the
/// output, or from its first token when the prompt already opened the block: it becomes <see cref="TextReasoningContent"/>,
/// the whitespace around it trimmed; what follows the closing tag is the answer, read by <paramref name="answer"/>.
/// </summary>
internal sealed class ThinkTagReader(string open, string close, bool opened, OutputReader answer) : OutputReader
{
    private enum State
    {
        Before,
        Inside,
        After,
    }

    private readonly StringBuilder _held = new();
    private State _state = opened ? State.Inside : State.Before;
    private bool _reasoningStarted;
    private bool _answerStarted;

    public override void Read(string text, List<AIContent> into)
    {
        switch (_state)
        {
            case State.After:
                Answer(text, into);
                return;
            case State.Before:
                _held.Append(text);
                var start = _held.ToString().TrimStart();
                if (start.StartsWith(open, StringComparison.Ordinal))
                {
                    _state = State.Inside;
                    _held.Clear();
                    Read(start[open.Length..], into);
                }
                else if (!open.StartsWith(start, StringComparison.Ordinal))
                {
                    _state = State.After;
                    var held = _held.ToString();
                    _held.Clear();
                    Answer(held, into);
                }

                return;
            default:
                _held.Append(text);
                var buffer = _held.ToString();
                var end = buffer.IndexOf(close, StringComparison.Ordinal);
                if (end >= 0)
                {
                    Reasoning(buffer[..end].TrimEnd(), into);
                    _state = State.After;
                    _held.Clear();
                    Answer(buffer[(end + close.Length)..], into);
                    return;
                }

                // Give out the reasoning but what may be the closing tag begun, or whitespace that may precede it.
                var partial = PartialMatch.Suffix(buffer, close);
                var keep = partial + (buffer.Length - partial - buffer[..^partial].TrimEnd().Length);
                Reasoning(buffer[..^keep], into);
                _held.Clear().Append(buffer[^keep..]);
                return;
        }
    }

    public override ChatFinishReason? Finish(ChatFinishReason? reason, List<AIContent> into)
    {
        var held = _held.ToString();
        _held.Clear();
        switch (_state)
        {
            case State.Inside:
                Reasoning(held.TrimEnd(), into);
                break;
            case State.Before:
                Answer(held, into);
                break;
        }

        return answer.Finish(reason, into);
    }

    private void Reasoning(string text, List<AIContent> into)
    {
        if (!_reasoningStarted)
        {
            text = text.TrimStart();
        }

        if (text.Length > 0)
        {
            _reasoningStarted = true;
            into.Add(new TextReasoningContent(text));
        }
    }

    private void Answer(string text, List<AIContent> into)
    {
        if (!_answerStarted)
        {
            text = text.TrimStart();
            _answerStarted = text.Length > 0;
        }

        if (text.Length > 0)
        {
            answer.Read(text, into);
        }
    }
}
