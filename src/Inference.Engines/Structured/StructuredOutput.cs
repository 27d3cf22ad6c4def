using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Inference.Engines.Grammars;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>
/// What a request asks of its output beyond sampling, worked out once for every local engine: the grammar decoding
/// must follow (a GBNF grammar given inline, a JSON response format or schema, the tools' call format with each
/// tool's parameter schema, or a choice of calls and text for <c>auto</c>), the conversation as the engine's template
/// sees it (tools described, earlier calls and results written out), and, when tools are in play, how generated text
/// becomes function calls. A constraint that cannot be enforced is an <see cref="ArgumentException"/>, never ignored.
/// </summary>
public sealed class StructuredOutput
{
    /// <summary>Calls one response may make when parallel calls are allowed.</summary>
    public const int MaxParallelCalls = 8;

    private StructuredOutput(IReadOnlyList<ChatMessage> messages, GbnfGrammar? grammar, bool toolCalls)
    {
        Messages = messages;
        Grammar = grammar;
        ParsesToolCalls = toolCalls;
        MinimumOutput = toolCalls ? grammar?.ShortestMatch(ToolCallRule) : null;
    }

    /// <summary>The name of the rule that matches one call in the tools' grammar.</summary>
    private const string ToolCallRule = "tool-call";

    /// <summary>The conversation for the engine: text only.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>What the output must match, or null when it is free.</summary>
    public GbnfGrammar? Grammar { get; }

    /// <summary>The output may be tool calls, to be turned into <see cref="FunctionCallContent"/>.</summary>
    public bool ParsesToolCalls { get; }

    /// <summary>
    /// The least the output must be able to hold, when tools are offered: the shortest valid call. A prompt that leaves
    /// no room for it is refused, since no call it starts could be completed.
    /// </summary>
    public string? MinimumOutput { get; }

    /// <summary>What <see cref="MinimumOutput"/> is, for the error that refuses a prompt without room for it.</summary>
    public string MinimumOutputName => "tool call";

    public static StructuredOutput Create(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (Conflict(options) is { } conflict)
        {
            throw new ArgumentException(conflict.Message, conflict.Param);
        }

        var grammarText = InlineGrammar(options);
        var format = options?.ResponseFormat as ChatResponseFormatJson;
        var tools = Tools(options);
        if (tools.Count == 0)
        {
            var grammar = grammarText is not null ? GrammarCache.Parse(grammarText) : format is not null ? FormatGrammar(format) : null;
            return new StructuredOutput(ToolPrompt.Render(messages, null), grammar, toolCalls: false);
        }

        var required = options!.ToolMode as RequiredChatToolMode;
        if (required?.RequiredFunctionName is { } name)
        {
            tools = tools.Where(t => t.Name == name).ToList();
        }

        var parallel = options.AllowMultipleToolCalls != false;
        var calls = GrammarCache.Get(ToolGrammarKey(tools, required is not null, parallel, format), () => ToolGrammar(tools, required is not null, parallel, format));
        var prompt = ToolPrompt.Describe(tools);
        return new StructuredOutput(ToolPrompt.Render(messages, prompt), calls, toolCalls: true);
    }

    /// <summary>
    /// Why these options cannot constrain one response together (a grammar beside a JSON format or tools, a required
    /// call without tools, a named function that is not among them), with the parameter at fault; null when they can.
    /// The engines refuse such options, and the HTTP API says so before any model runs.
    /// </summary>
    public static (string Message, string Param, string? Code)? Conflict(ChatOptions? options)
    {
        var grammar = InlineGrammar(options) is not null;
        var tools = Tools(options);
        if (grammar && options?.ResponseFormat is ChatResponseFormatJson)
        {
            return ("grammar and a JSON response_format cannot both constrain one response; send one of them.", "grammar", null);
        }

        if (grammar && tools.Count > 0)
        {
            return ("grammar cannot be combined with tools: the tools' call format is itself a grammar.", "grammar", null);
        }

        if (options?.ToolMode is RequiredChatToolMode required)
        {
            if (tools.Count == 0)
            {
                return ("tool_choice requires a tool call, but the request has no tools.", "tool_choice", null);
            }

            if (required.RequiredFunctionName is { } name && !tools.Any(t => t.Name == name))
            {
                return ($"tool_choice names the function '{name}', which is not among tools.", "tool_choice", "invalid_value");
            }
        }

        return null;
    }

    private static string? InlineGrammar(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(EngineChatOptions.Grammar, out string? grammar) == true ? grammar : null;

    /// <summary>The tools the response may call: none when tool_choice is none.</summary>
    private static List<AIFunctionDeclaration> Tools(ChatOptions? options) =>
        options?.ToolMode is NoneChatToolMode ? [] : options?.Tools?.OfType<AIFunctionDeclaration>().ToList() ?? [];

    /// <summary>
    /// Turns the engine's updates into the response: as they are without tools; with tools, text that starts a call
    /// block is held back and ends as <see cref="FunctionCallContent"/> with finish reason tool_calls, other text streams.
    /// </summary>
    public IAsyncEnumerable<ChatResponseUpdate> Shape(IAsyncEnumerable<ChatResponseUpdate> updates, CancellationToken cancellationToken = default) =>
        ParsesToolCalls ? ToolCallsAsync(updates, cancellationToken) : updates;

    private static async IAsyncEnumerable<ChatResponseUpdate> ToolCallsAsync(IAsyncEnumerable<ChatResponseUpdate> updates, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var held = new StringBuilder();
        var streaming = false;
        await foreach (var update in updates.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (streaming)
            {
                yield return update;
                continue;
            }

            held.Append(update.Text);
            if (update.FinishReason is null)
            {
                if (!ToolCallParser.MayBeCall(held.ToString()))
                {
                    // Plain text: what was held goes out now, the rest as it comes.
                    streaming = true;
                    yield return Replace(update, [new TextContent(held.ToString())]);
                }

                continue;
            }

            // Held text at the end is calls, a call begun, or (without tools in the answer) text. A call the length cut
            // short is never given as text: the calls completed before it are the answer, its finish reason length.
            var text = held.ToString();
            var cut = update.FinishReason == ChatFinishReason.Length && text.Length > 0;
            var calls = update.FinishReason == ChatFinishReason.Stop ? ToolCallParser.Parse(text)
                : cut ? ToolCallParser.ParseCompleted(text)
                : null;
            var rest = update.Contents.Where(c => c is not TextContent).ToList();
            var finished = Replace(update, calls is null ? [new TextContent(text), .. rest] : [.. calls, .. rest]);
            finished.FinishReason = calls is null || cut ? update.FinishReason : ChatFinishReason.ToolCalls;
            yield return finished;
        }
    }

    private static ChatResponseUpdate Replace(ChatResponseUpdate update, IList<AIContent> contents)
    {
        var replaced = update.Clone();
        replaced.Contents = contents;
        return replaced;
    }

    private static GbnfGrammar FormatGrammar(ChatResponseFormatJson format) =>
        format.Schema is { } schema ? GrammarCache.Schema(schema) : GrammarCache.Parse(JsonGrammarRules.AnyObject());

    /// <summary>What the tools' grammar is made from, as its cache key: each tool's name and schema, the mode, the answer's format.</summary>
    private static string ToolGrammarKey(List<AIFunctionDeclaration> tools, bool required, bool parallel, ChatResponseFormatJson? format)
    {
        var key = new StringBuilder("tools\n").Append(required).Append(' ').Append(parallel).Append('\n');
        foreach (var tool in tools)
        {
            key.Append(tool.Name).Append('\n').Append(ArgumentSchema(tool).GetRawText()).Append('\n');
        }

        return key.Append(format is null ? "-" : format.Schema?.GetRawText() ?? "{}").ToString();
    }

    private static string ToolGrammar(List<AIFunctionDeclaration> tools, bool required, bool parallel, ChatResponseFormatJson? format)
    {
        var rules = new List<string>();
        var calls = new List<string>();
        for (var i = 0; i < tools.Count; i++)
        {
            var (arguments, argumentRules) = JsonSchemaGrammar.Rules(ArgumentSchema(tools[i]), $"t{i}-");
            rules.AddRange(argumentRules);
            var head = ToolPrompt.CallOpen + ToolPrompt.CallHead(tools[i].Name);
            rules.Add($"call-{i} ::= {GrammarText.Literal(head)} {arguments} {GrammarText.Literal("}" + ToolPrompt.CallClose)}");
            calls.Add($"call-{i}");
        }

        rules.Add($"tool-call ::= {string.Join(" | ", calls)}");
        rules.Add(parallel ? $"tool-calls ::= tool-call (\"\\n\" tool-call){{0,{MaxParallelCalls - 1}}}" : "tool-calls ::= tool-call");
        if (required)
        {
            rules.Add("root ::= tool-calls");
        }
        else if (format is not null)
        {
            // auto with a response format: calls, or an answer in that format.
            var (answer, answerRules) = format.Schema is { } schema ? JsonSchemaGrammar.Rules(schema, "fmt-") : ("object-0", [.. JsonGrammarRules.AnyValue()]);
            rules.AddRange(answerRules);
            rules.Add($"root ::= tool-calls | {answer}");
        }
        else
        {
            // auto: calls, or any text that does not begin like one.
            rules.Add("root ::= tool-calls | ([^<] .*)?");
        }

        return string.Join('\n', rules.Distinct(StringComparer.Ordinal));
    }

    /// <summary>A tool's parameter schema; a function without parameters takes an empty object.</summary>
    private static JsonElement ArgumentSchema(AIFunctionDeclaration tool)
    {
        var schema = tool.JsonSchema;
        if (schema.ValueKind != JsonValueKind.Object || !schema.EnumerateObject().Any())
        {
            using var empty = JsonDocument.Parse("""{"type":"object","properties":{},"additionalProperties":false}""");
            return empty.RootElement.Clone();
        }

        return schema;
    }
}
