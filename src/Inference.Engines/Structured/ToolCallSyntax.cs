using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>
/// How a model family writes tool calls: the grammar that holds a call to it (each tool's arguments to their schema)
/// and the reading of calls back out of generated text. Recognised from a model's chat template, as llama.cpp's server
/// does (<see cref="Detect"/>); models without a template of their own use <see cref="Hermes"/>, the generic syntax.
/// </summary>
public abstract class ToolCallSyntax
{
    /// <summary><c>&lt;tool_call&gt;{"name", "arguments"}&lt;/tool_call&gt;</c>: Hermes, Qwen 2.5 and 3, and the generic syntax.</summary>
    public static ToolCallSyntax Hermes { get; } = new HermesToolCalls();

    /// <summary>A bare JSON object <c>{"name", "parameters"}</c>, optionally after <c>&lt;|python_tag|&gt;</c>: Llama 3.1 to 3.3.</summary>
    public static ToolCallSyntax Llama3 { get; } = new Llama3ToolCalls();

    /// <summary><c>[TOOL_CALLS] [{"name", "arguments", "id"}]</c>: Mistral v0.3, Nemo, Small.</summary>
    public static ToolCallSyntax Mistral { get; } = new MarkedArrayToolCalls("mistral", "[TOOL_CALLS]", " ", ids: true);

    /// <summary>Harmony's <c>&lt;|channel|&gt;commentary to=functions.NAME &lt;|constrain|&gt;json&lt;|message|&gt;{...}</c>: GPT-OSS.</summary>
    public static ToolCallSyntax Harmony { get; } = new HarmonyToolCalls();

    /// <summary>DeepSeek-R1's <c>&lt;｜tool▁calls▁begin｜&gt;</c> blocks, arguments in a json code block.</summary>
    public static ToolCallSyntax DeepSeek { get; } = new DeepSeekToolCalls();

    /// <summary>IBM Granite's <c>&lt;|tool_call|&gt;[{"name", "arguments"}]</c>.</summary>
    public static ToolCallSyntax Granite { get; } = new MarkedArrayToolCalls("granite", "<|tool_call|>", "", ids: false);

    /// <summary>Cohere Command R's <c>&lt;|START_ACTION|&gt;</c> lists of actions.</summary>
    public static ToolCallSyntax CommandR { get; } = new CommandRToolCalls();

    /// <summary>The syntax's name, reported with the model.</summary>
    public abstract string Name { get; }

    /// <summary>The markup tokens of a call, which the engine shows in the output (special tokens are otherwise hidden).</summary>
    public abstract IReadOnlyList<string> Markup { get; }

    /// <summary>The GBNF for one call of <paramref name="name"/>, whose arguments match the rule <paramref name="arguments"/>.</summary>
    public abstract string CallRule(string name, string arguments);

    /// <summary>The GBNF for the calls one response makes, from the rule <c>tool-call</c>.</summary>
    public virtual string CallsRule(bool parallel, int max) =>
        parallel ? $"tool-call (\"\\n\" tool-call){{0,{max - 1}}}" : "tool-call";

    /// <summary>
    /// What opens the calls, when the family may write text before them (Hermes, Qwen, DeepSeek-R1): the text streams
    /// as the answer's until this appears; null when calls, if any, are the whole output.
    /// </summary>
    public virtual string? CallsOpener => null;

    /// <summary>The markers the family writes its answer between, which are not part of it; null when it writes the answer bare.</summary>
    public virtual (string Open, string Close)? AnswerWrapper => null;

    /// <summary>The GBNF of an answer that is not a call (tool choice auto): any text that does not begin like one.</summary>
    public abstract string FreeText { get; }

    /// <summary>True when <paramref name="text"/> could still become a call: it begins like one, or is the beginning of one.</summary>
    public abstract bool MayBeCall(string text);

    /// <summary>The calls <paramref name="text"/> starts with; <paramref name="complete"/> is false when anything else, or a part of a call, follows.</summary>
    public abstract List<FunctionCallContent> Read(string text, out bool complete);

    /// <summary>The calls in <paramref name="text"/>, or null when it is not wholly calls.</summary>
    public List<FunctionCallContent>? Parse(string text) =>
        Read(text, out var complete) is { Count: > 0 } calls && complete ? calls : null;

    /// <summary>The calls completed in <paramref name="text"/> before it was cut short (none when the first was cut).</summary>
    public List<FunctionCallContent> ParseCompleted(string text) => Read(text, out _);

    /// <summary>The syntax a chat template's calls are written in, by its markers; null when it has none of these.</summary>
    public static ToolCallSyntax? Detect(string template) => template switch
    {
        _ when template.Contains("<|channel|>", StringComparison.Ordinal) => Harmony,
        _ when template.Contains("[TOOL_CALLS]", StringComparison.Ordinal) => Mistral,
        _ when template.Contains("<｜tool▁calls▁begin｜>", StringComparison.Ordinal) => DeepSeek,
        _ when template.Contains("<|tool_call|>", StringComparison.Ordinal) && template.Contains("<|start_of_role|>", StringComparison.Ordinal) => Granite,
        _ when template.Contains("<|START_ACTION|>", StringComparison.Ordinal) => CommandR,
        _ when template.Contains("<tool_call>", StringComparison.Ordinal) => Hermes,
        _ when template.Contains("<|start_header_id|>", StringComparison.Ordinal) && template.Contains("tools", StringComparison.Ordinal) => Llama3,
        _ => null,
    };

    /// <summary>A call's arguments from their JSON object, as <see cref="FunctionCallContent.Arguments"/> holds them; empty for anything else.</summary>
    public static Dictionary<string, object?> Arguments(JsonElement arguments) =>
        arguments.ValueKind == JsonValueKind.Object
            ? arguments.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())
            : [];

    /// <summary>A new call id, as OpenAI writes them.</summary>
    protected static string NewCallId() => "call_" + Guid.NewGuid().ToString("N")[..24];

    /// <summary>
    /// The call in the JSON object <paramref name="json"/>: its name, and its arguments under one of
    /// <paramref name="argumentKeys"/>; null when it is not one.
    /// </summary>
    protected static FunctionCallContent? CallFrom(ReadOnlySpan<char> json, params string[] argumentKeys)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToString());
            return CallFrom(document.RootElement, argumentKeys);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    protected static FunctionCallContent? CallFrom(JsonElement root, params string[] argumentKeys)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        JsonElement arguments = default;
        foreach (var key in argumentKeys)
        {
            if (root.TryGetProperty(key, out arguments))
            {
                break;
            }
        }

        // Some models write the arguments as a JSON string of the object.
        if (arguments.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var inner = JsonDocument.Parse(arguments.GetString()!);
                return new FunctionCallContent(NewCallId(), name.GetString()!, Arguments(inner.RootElement));
            }
            catch (JsonException)
            {
                return null;
            }
        }

        return new FunctionCallContent(NewCallId(), name.GetString()!, Arguments(arguments));
    }

    /// <summary>The length of the JSON value <paramref name="text"/> starts with, or -1 when it does not start with a whole one.</summary>
    protected static int JsonLength(ReadOnlySpan<char> text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text.ToArray());
        var reader = new Utf8JsonReader(bytes, isFinalBlock: true, state: default);
        try
        {
            if (!reader.Read() || !reader.TrySkip())
            {
                return -1;
            }

            return System.Text.Encoding.UTF8.GetCharCount(bytes, 0, (int)reader.BytesConsumed);
        }
        catch (JsonException)
        {
            return -1;
        }
    }
}
