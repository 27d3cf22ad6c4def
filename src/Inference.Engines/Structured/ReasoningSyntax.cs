using Inference.Engines.Grammars;

namespace Inference.Engines.Structured;

/// <summary>
/// Where a model family writes its reasoning, recognised from its chat template: between think tags, or on Harmony's
/// analysis channel. Reasoning is kept apart from the answer, and a constraint on the answer (a schema, a grammar,
/// tools) lets the reasoning come first, free.
/// </summary>
public abstract class ReasoningSyntax
{
    /// <summary><c>&lt;think&gt;...&lt;/think&gt;</c> before the answer: Qwen 3, QwQ, DeepSeek-R1, SmolLM3.</summary>
    public static ReasoningSyntax ThinkTags { get; } = new Tags("<think>", "</think>");

    /// <summary>Harmony's analysis channel: GPT-OSS.</summary>
    public static ReasoningSyntax Harmony { get; } = new HarmonyChannels();

    /// <summary><c>&lt;|START_THINKING|&gt;...&lt;|END_THINKING|&gt;</c> before the actions or the answer: Command R7B and A.</summary>
    public static ReasoningSyntax CommandR { get; } = new Tags("<|START_THINKING|>", "<|END_THINKING|>");

    /// <summary>The syntax's name, reported with the model.</summary>
    public abstract string Name { get; }

    /// <summary>The markup tokens of reasoning, which the engine shows in the output (special tokens are otherwise hidden).</summary>
    public abstract IReadOnlyList<string> Markup { get; }

    /// <summary>What opens the reasoning block at the start of the output.</summary>
    public abstract string Open { get; }

    /// <summary>
    /// What an engine writes to close the reasoning block when its budget is spent, so that the answer follows (or,
    /// where the answer may be a call, what lets the model choose between answering and calling).
    /// </summary>
    public abstract string Close(bool toolCalls);

    /// <summary>True when the rendered <paramref name="prompt"/> ends inside an opened reasoning block.</summary>
    public abstract bool Opens(string prompt);

    /// <summary>
    /// The GBNF rules of a root that lets reasoning come before <paramref name="answer"/> (a GBNF expression): from its
    /// first character when the prompt <paramref name="opened"/> the block, else optionally.
    /// </summary>
    public abstract IEnumerable<string> Root(string answer, bool opened);

    /// <summary>The reader that splits the reasoning from an answer read by <paramref name="answer"/>.</summary>
    public abstract OutputReader Reader(bool opened, bool parsesTools, OutputReader answer);

    /// <summary>The reasoning a chat template's model writes, by its markers; null when it writes none of these.</summary>
    public static ReasoningSyntax? Detect(string template) => template switch
    {
        _ when template.Contains("<|channel|>", StringComparison.Ordinal) => Harmony,
        _ when template.Contains("<|START_THINKING|>", StringComparison.Ordinal) => CommandR,
        _ when template.Contains("<think>", StringComparison.Ordinal) || template.Contains("</think>", StringComparison.Ordinal) => ThinkTags,
        _ => null,
    };

    private sealed class Tags(string open, string close) : ReasoningSyntax
    {
        public override string Name => open == "<think>" ? "think" : "command-r";

        public override string Open => open;

        public override string Close(bool toolCalls) => close + "\n\n";

        public override IReadOnlyList<string> Markup => [open, close];

        public override bool Opens(string prompt)
        {
            var end = prompt.AsSpan().TrimEnd();
            return end.EndsWith(open, StringComparison.Ordinal);
        }

        public override IEnumerable<string> Root(string answer, bool opened)
        {
            yield return opened
                ? $"root ::= reasoning-text {GrammarText.Literal(close)} reasoning-space {answer}"
                : $"root ::= ({GrammarText.Literal(open)} reasoning-text {GrammarText.Literal(close)} reasoning-space)? {answer}";
            yield return $"reasoning-text ::= {GrammarText.Excluding(close)}";
            yield return "reasoning-space ::= [ \\t\\n]{0,4}";
        }

        public override OutputReader Reader(bool opened, bool parsesTools, OutputReader answer) => new ThinkTagReader(open, close, opened, answer);
    }

    private sealed class HarmonyChannels : ReasoningSyntax
    {
        private const string Analysis = "<|channel|>analysis<|message|>";
        private const string Next = "<|end|><|start|>assistant";

        public override string Name => "harmony";

        public override string Open => Analysis;

        public override string Close(bool toolCalls) => toolCalls ? Next : Next + "<|channel|>final<|message|>";

        public override IReadOnlyList<string> Markup => ToolCallSyntax.Harmony.Markup;

        public override bool Opens(string prompt) => false;

        public override IEnumerable<string> Root(string answer, bool opened)
        {
            yield return $"root ::= ({GrammarText.Literal(Analysis)} reasoning-text {GrammarText.Literal(Next)})? {answer}";
            yield return $"reasoning-text ::= {GrammarText.Excluding("<|end|>")}";
        }

        public override OutputReader Reader(bool opened, bool parsesTools, OutputReader answer) => new HarmonyOutputReader(parsesTools);
    }
}
