using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>
/// Reads a model's generated text as it streams into what the response holds: answer text, reasoning
/// (<see cref="TextReasoningContent"/>) and tool calls (<see cref="FunctionCallContent"/>). Text that may still turn out
/// to be markup (a tag begun, a call begun) is held back until it is known.
/// </summary>
public abstract class OutputReader
{
    /// <summary>Reads the next piece of generated text, adding to <paramref name="into"/> what can be given out now.</summary>
    public abstract void Read(string text, List<AIContent> into);

    /// <summary>The end of the output: adds what was held, and returns the response's finish reason.</summary>
    public abstract ChatFinishReason? Finish(ChatFinishReason? reason, List<AIContent> into);

    /// <summary>Text as it comes.</summary>
    public static OutputReader Plain() => new PlainOutputReader();

    private sealed class PlainOutputReader : OutputReader
    {
        public override void Read(string text, List<AIContent> into)
        {
            if (text.Length > 0)
            {
                into.Add(new TextContent(text));
            }
        }

        public override ChatFinishReason? Finish(ChatFinishReason? reason, List<AIContent> into) => reason;
    }
}
