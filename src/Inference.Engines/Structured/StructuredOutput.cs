using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Inference.Engines.Grammars;
using Inference.Engines.Templates;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>
/// What a request asks of its output beyond sampling, worked out once for every local engine: the prompt (the
/// conversation and tools rendered with the model's chat format, or the raw text), the grammar decoding must follow (a
/// GBNF grammar given inline, a JSON response format or schema, the tools' calls in the family's own syntax with each
/// tool's parameter schema, or a choice of calls and text for <c>auto</c>; reasoning, where the model writes it, comes
/// first and free), and how the generated text becomes the response: reasoning, answer text and function calls. A
/// constraint that cannot be enforced is an <see cref="ArgumentException"/>, never ignored.
/// </summary>
public sealed class StructuredOutput
{
    /// <summary>Calls one response may make when parallel calls are allowed.</summary>
    public const int MaxParallelCalls = 8;

    /// <summary>The name of the rule that matches one call in the tools' grammar.</summary>
    private const string ToolCallRule = "tool-call";

    private readonly ToolCallSyntax _syntax;
    private readonly ReasoningSyntax? _reasoning;

    private StructuredOutput(RenderedPrompt prompt, GbnfGrammar? grammar, bool toolCalls, ToolCallSyntax syntax, ReasoningSyntax? reasoning)
    {
        Prompt = prompt;
        Grammar = grammar;
        ParsesToolCalls = toolCalls;
        _syntax = syntax;
        _reasoning = reasoning;
        MinimumOutput = toolCalls ? grammar?.ShortestMatch(ToolCallRule) : null;
    }

    /// <summary>The prompt the engine runs.</summary>
    public RenderedPrompt Prompt { get; }

    /// <summary>The most tokens the model may reason (the request's reasoning budget), when it has one and the model reasons.</summary>
    public int? ReasoningBudget { get; private init; }

    /// <summary>
    /// The reasoning budget in the model's tokens (<paramref name="tokenize"/>: text to ids without BOS), for the engine
    /// to enforce; null when the request sets none or the model does not reason.
    /// </summary>
    public ReasoningBudgetPlan? BudgetPlan(Func<string, int[]> tokenize)
    {
        ArgumentNullException.ThrowIfNull(tokenize);
        return ReasoningBudget is int tokens && _reasoning is { } reasoning
            ? new ReasoningBudgetPlan(tokens, Prompt.OpensReasoning, reasoning.Open, reasoning.Close(ParsesToolCalls), tokenize(reasoning.Close(ParsesToolCalls)))
            : null;
    }

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

    /// <summary>
    /// The request's prompt and constraints for a model whose conversations are rendered by <paramref name="format"/>
    /// (null: the model has none, and only raw prompts can be served).
    /// </summary>
    public static StructuredOutput Create(IEnumerable<ChatMessage> messages, ChatOptions? options, ChatFormat? format = null, string model = "")
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (Conflict(options) is { } conflict)
        {
            throw new ArgumentException(conflict.Message, conflict.Param);
        }

        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var grammarText = InlineGrammar(options);
        var responseFormat = options?.ResponseFormat as ChatResponseFormatJson;
        var tools = Tools(options);
        if (ChatPrompt.IsRaw(options) || format is null)
        {
            var raw = ChatPrompt.IsRaw(options) ? new RenderedPrompt(ChatPrompt.RawText(list)) : throw ChatPrompt.NoTemplate(model);
            var plain = grammarText is not null ? GrammarCache.Parse(grammarText) : responseFormat is not null ? FormatGrammar(responseFormat) : null;
            return new StructuredOutput(raw, plain, toolCalls: false, ToolCallSyntax.Hermes, null);
        }

        var required = options?.ToolMode as RequiredChatToolMode;
        if (required?.RequiredFunctionName is { } name)
        {
            tools = tools.Where(t => t.Name == name).ToList();
        }

        var budget = ChatPrompt.Integer(options, EngineChatOptions.ReasoningBudget) is int b and >= 0 ? b : (int?)null;
        if (budget == 0 && format.Reasoning is not null)
        {
            // No reasoning at all: templates that can turn it off are asked to, and the engine closes any block at once.
            options = options?.Clone() ?? new ChatOptions();
            options.Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None };
        }

        var prompt = format.Render(model, list, tools, options);
        var syntax = format.ToolCalls;
        var reasoning = format.Reasoning;
        var opened = reasoning?.Opens(prompt.Text) == true;
        prompt = prompt with { OpensReasoning = opened };
        if (tools.Count == 0)
        {
            var grammar = grammarText is null && responseFormat is null ? null
                : reasoning is null ? (grammarText is not null ? GrammarCache.Parse(grammarText) : FormatGrammar(responseFormat!))
                : GrammarCache.Get(AnswerKey(grammarText, responseFormat, reasoning, opened), () => AnswerAfterReasoning(grammarText, responseFormat, reasoning, opened));
            return new StructuredOutput(prompt, grammar, toolCalls: false, syntax, reasoning) { ReasoningBudget = reasoning is null ? null : budget };
        }

        var parallel = options!.AllowMultipleToolCalls != false;
        var key = ToolGrammarKey(tools, required is not null, parallel, responseFormat) + "\n" + syntax.Name + " " + reasoning?.Name + " " + opened;
        var calls = GrammarCache.Get(key, () => ToolGrammar(tools, required is not null, parallel, responseFormat, syntax, reasoning, opened));
        return new StructuredOutput(prompt, calls, toolCalls: true, syntax, reasoning) { ReasoningBudget = reasoning is null ? null : budget };
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
    /// Turns the engine's updates into the response: reasoning apart from the answer where the model writes it, and,
    /// with tools, text that starts a call held back and ended as <see cref="FunctionCallContent"/> with finish reason
    /// tool_calls; other text streams.
    /// </summary>
    public IAsyncEnumerable<ChatResponseUpdate> Shape(IAsyncEnumerable<ChatResponseUpdate> updates, CancellationToken cancellationToken = default)
    {
        var answer = ParsesToolCalls ? new ToolCallReader(_syntax) : OutputReader.Plain();
        var wrapper = _syntax.AnswerWrapper;
        answer = wrapper is { } markers ? new AnswerUnwrapper(markers.Open, markers.Close, answer) : answer;
        var reader = _reasoning?.Reader(Prompt.OpensReasoning, ParsesToolCalls, answer) ?? answer;
        return _reasoning is null && !ParsesToolCalls && wrapper is null ? updates : ReadAsync(updates, reader, cancellationToken);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> ReadAsync(IAsyncEnumerable<ChatResponseUpdate> updates, OutputReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var contents = new List<AIContent>();

        // The tokens generated before the answer began, counted as reasoning when the model reasoned: each engine
        // update is a token, so what the reader held back at the boundary counts with the side it ends on.
        var beforeAnswer = 0;
        var reasoned = false;
        var answered = false;
        await foreach (var update in updates.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            contents.Clear();
            reader.Read(update.Text, contents);
            var finish = update.FinishReason is { } reason ? reader.Finish(reason, contents) : null;
            if (!answered)
            {
                reasoned |= contents.Exists(c => c is TextReasoningContent);
                answered = contents.Exists(c => c is TextContent { Text.Length: > 0 } or FunctionCallContent);
                beforeAnswer += answered ? 0 : 1;
            }

            if (reasoned && update.Contents.OfType<UsageContent>().FirstOrDefault() is { } usage)
            {
                usage.Details.ReasoningTokenCount = Math.Min(beforeAnswer, usage.Details.OutputTokenCount ?? beforeAnswer);
            }

            if (contents.Count == 0 && update.FinishReason is null)
            {
                continue;
            }

            var shaped = update.Clone();
            shaped.Contents = [.. contents, .. update.Contents.Where(c => c is not TextContent)];
            shaped.FinishReason = finish ?? update.FinishReason;
            yield return shaped;
        }
    }

    /// <summary>What an answer's grammar after reasoning is made from, as its cache key.</summary>
    private static string AnswerKey(string? grammar, ChatResponseFormatJson? format, ReasoningSyntax reasoning, bool opened) =>
        $"answer {reasoning.Name} {opened}\n{grammar ?? format!.Schema?.GetRawText() ?? "{}"}";

    /// <summary>The grammar of an answer (an inline grammar or a JSON format) that reasoning may come before.</summary>
    private static string AnswerAfterReasoning(string? grammar, ChatResponseFormatJson? format, ReasoningSyntax reasoning, bool opened)
    {
        var rules = new List<string>();
        string answer;
        if (grammar is not null)
        {
            // The request's grammar, its root renamed to be the answer's.
            rules.Add(System.Text.RegularExpressions.Regex.Replace(grammar, @"(?m)^\s*root\s*::=", "answer ::="));
            answer = "answer";
        }
        else
        {
            var (root, schemaRules) = format!.Schema is { } schema ? JsonSchemaGrammar.Rules(schema, "fmt-") : ("object-0", [.. JsonGrammarRules.AnyValue()]);
            rules.AddRange(schemaRules);
            answer = root;
        }

        if (reasoning == ReasoningSyntax.Harmony)
        {
            answer = GrammarText.Literal(HarmonyToolCalls.Channel + "final" + HarmonyToolCalls.Message) + " " + answer;
        }

        rules.AddRange(reasoning.Root(answer, opened));
        return string.Join('\n', rules.Distinct(StringComparer.Ordinal));
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

    private static string ToolGrammar(
        List<AIFunctionDeclaration> tools, bool required, bool parallel, ChatResponseFormatJson? format, ToolCallSyntax syntax, ReasoningSyntax? reasoning, bool opened)
    {
        var rules = new List<string>();
        var calls = new List<string>();
        for (var i = 0; i < tools.Count; i++)
        {
            var (arguments, argumentRules) = JsonSchemaGrammar.Rules(ArgumentSchema(tools[i]), $"t{i}-");
            rules.AddRange(argumentRules);
            rules.Add($"call-{i} ::= {syntax.CallRule(tools[i].Name, arguments)}");
            calls.Add($"call-{i}");
        }

        rules.Add($"tool-call ::= {string.Join(" | ", calls)}");
        rules.Add($"tool-calls ::= {syntax.CallsRule(parallel, MaxParallelCalls)}");
        string answer;
        if (required)
        {
            answer = "tool-calls";
        }
        else if (format is not null)
        {
            // auto with a response format: calls, or an answer in that format.
            var (formatted, answerRules) = format.Schema is { } schema ? JsonSchemaGrammar.Rules(schema, "fmt-") : ("object-0", [.. JsonGrammarRules.AnyValue()]);
            rules.AddRange(answerRules);
            answer = reasoning == ReasoningSyntax.Harmony
                ? $"tool-calls | {GrammarText.Literal(HarmonyToolCalls.Channel + "final" + HarmonyToolCalls.Message)} {formatted}"
                : $"tool-calls | {formatted}";
        }
        else
        {
            // auto: text that never opens calls, then calls if the model makes any (families that write text before
            // calls); else calls, or any text that does not begin like one.
            answer = syntax.CallsOpener is { } opener
                ? $"answer-text tool-calls?"
                : $"tool-calls | {syntax.FreeText}";
            if (syntax.CallsOpener is { } open)
            {
                rules.Add($"answer-text ::= {GrammarText.Excluding(open)}");
            }
        }

        if (reasoning is null)
        {
            rules.Add($"root ::= {answer}");
        }
        else
        {
            rules.Add($"tool-answer ::= {answer}");
            rules.AddRange(reasoning.Root("tool-answer", opened));
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
