using System.Text;
using Inference.Engines.Text;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>
/// GPT-OSS's Harmony output: messages of <c>&lt;|channel|&gt;NAME[ to=functions.TOOL][ &lt;|constrain|&gt;json]&lt;|message|&gt;BODY</c>,
/// each ended by <c>&lt;|end|&gt;</c> (and followed by <c>&lt;|start|&gt;assistant</c>), <c>&lt;|call|&gt;</c> or <c>&lt;|return|&gt;</c>.
/// The analysis channel is reasoning, a commentary message to a function a tool call, the final channel (and a
/// commentary message to no one) the answer. Text the model writes outside any message is answer text.
/// </summary>
internal sealed class HarmonyOutputReader(bool parsesTools) : OutputReader
{
    private const string Start = "<|start|>";
    private static readonly string[] Ends = ["<|end|>", "<|call|>", "<|return|>"];

    private readonly StringBuilder _held = new();
    private readonly StringBuilder _arguments = new();
    private readonly List<FunctionCallContent> _calls = [];
    private bool _inBody;
    private string _channel = "";
    private string? _recipient;

    public override void Read(string text, List<AIContent> into)
    {
        _held.Append(text);
        while (Step(into))
        {
        }
    }

    /// <summary>Reads what it can of the held text; true when it moved on and may read more.</summary>
    private bool Step(List<AIContent> into)
    {
        var buffer = _held.ToString();
        if (!_inBody)
        {
            var header = buffer.TrimStart();
            if (header.StartsWith(Start, StringComparison.Ordinal))
            {
                // <|start|>assistant before the next message's channel: the role is always the assistant's here.
                var channel = header.IndexOf(HarmonyToolCalls.Channel, StringComparison.Ordinal);
                if (channel < 0)
                {
                    return false;
                }

                RecipientFrom(header[..channel]);
                _held.Clear().Append(header[channel..]);
                return true;
            }

            if (header.StartsWith(HarmonyToolCalls.Channel, StringComparison.Ordinal))
            {
                var body = header.IndexOf(HarmonyToolCalls.Message, StringComparison.Ordinal);
                if (body < 0)
                {
                    return false;
                }

                var head = header[HarmonyToolCalls.Channel.Length..body];
                var space = head.IndexOfAny([' ', '<']);
                _channel = space < 0 ? head : head[..space];
                RecipientFrom(head);
                _inBody = true;
                _held.Clear().Append(header[(body + HarmonyToolCalls.Message.Length)..]);
                return true;
            }

            if (header.Length == 0 || Start.StartsWith(header, StringComparison.Ordinal) || HarmonyToolCalls.Channel.StartsWith(header, StringComparison.Ordinal))
            {
                return false;
            }

            // Text outside any message: the answer.
            _channel = "final";
            _inBody = true;
            return true;
        }

        foreach (var end in Ends)
        {
            var at = buffer.IndexOf(end, StringComparison.Ordinal);
            if (at >= 0)
            {
                Body(buffer[..at], into);
                EndMessage(into, complete: true);
                _held.Clear().Append(buffer[(at + end.Length)..]);
                return true;
            }
        }

        // Give out the body but what may be an end marker begun.
        var keep = Ends.Max(e => PartialMatch.Suffix(buffer, e));
        Body(buffer[..^keep], into);
        _held.Clear().Append(buffer[^keep..]);
        return false;
    }

    public override ChatFinishReason? Finish(ChatFinishReason? reason, List<AIContent> into)
    {
        if (_inBody)
        {
            Body(_held.ToString(), into);
            _held.Clear();

            // The call's end is an end-of-generation token that never shows as text: a call the model stopped after is
            // whole, one the length cut is not.
            EndMessage(into, complete: reason != ChatFinishReason.Length);
        }

        if (_calls.Count > 0)
        {
            into.AddRange(_calls);
            return reason == ChatFinishReason.Length ? reason : ChatFinishReason.ToolCalls;
        }

        return reason;
    }

    private void RecipientFrom(string header)
    {
        var to = header.IndexOf(HarmonyToolCalls.Recipient, StringComparison.Ordinal);
        if (to < 0)
        {
            return;
        }

        var name = header[(to + HarmonyToolCalls.Recipient.Length)..];
        var end = name.IndexOfAny([' ', '<']);
        _recipient = end < 0 ? name : name[..end];
    }

    private void Body(string text, List<AIContent> into)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (_recipient is not null && parsesTools)
        {
            _arguments.Append(text);
        }
        else if (_channel == "analysis")
        {
            into.Add(new TextReasoningContent(text));
        }
        else
        {
            into.Add(new TextContent(text));
        }
    }

    private void EndMessage(List<AIContent> into, bool complete)
    {
        if (_recipient is { } name && parsesTools && complete)
        {
            var text = HarmonyToolCalls.Channel + "commentary" + HarmonyToolCalls.Recipient + name + HarmonyToolCalls.Message + _arguments;
            _calls.AddRange(ToolCallSyntax.Harmony.Read(text, out _));
        }

        _arguments.Clear();
        _recipient = null;
        _inBody = false;
        _channel = "";
    }
}
