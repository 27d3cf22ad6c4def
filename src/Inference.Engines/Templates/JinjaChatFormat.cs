using Inference.Engines.Structured;
using Inference.Engines.Templates.Jinja;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Templates;

/// <summary>
/// A model's own Jinja chat template, rendered as transformers' <c>apply_chat_template</c> does: the messages (tool
/// calls with their arguments as objects, tool results, reasoning sent back), the tools as OpenAI function objects,
/// <c>add_generation_prompt</c>, the special tokens' text, and the request's template variables
/// (<c>chat_template_kwargs</c>, <c>reasoning_effort</c>, <c>enable_thinking</c>). Its tool-call syntax and reasoning are
/// recognised from its text; a template that does not write tools gets them described in the system message.
/// </summary>
public sealed class JinjaChatFormat : ChatFormat
{
    private readonly JinjaTemplate _template;
    private readonly JinjaTemplate? _toolUse;
    private readonly IReadOnlyDictionary<string, string> _specialTokens;
    private readonly string? _strippedBos;
    private readonly TimeProvider _time;
    private volatile bool _argumentsAsText;

    /// <param name="name">Where the template came from, as reported with the model.</param>
    /// <param name="template">The template.</param>
    /// <param name="toolUse">A second template for requests with tools (tokenizer_config's named <c>tool_use</c>), if any.</param>
    /// <param name="specialTokens">The special tokens' text by their names (<c>bos_token</c>, <c>eos_token</c>...).</param>
    /// <param name="tokenizerAddsBos">The engine's tokenizer adds the BOS token itself: a BOS the template writes is dropped, so it is there once.</param>
    /// <param name="time">The clock <c>strftime_now</c> reads.</param>
    public JinjaChatFormat(string name, JinjaTemplate template, JinjaTemplate? toolUse, IReadOnlyDictionary<string, string> specialTokens, bool tokenizerAddsBos, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(specialTokens);
        Name = name;
        _template = template;
        _toolUse = toolUse;
        _specialTokens = specialTokens;
        _strippedBos = tokenizerAddsBos && specialTokens.TryGetValue("bos_token", out var bos) && bos.Length > 0 ? bos : null;
        _time = time ?? TimeProvider.System;
        var source = template.Source + toolUse?.Source;
        RendersTools = source.Contains("tools", StringComparison.Ordinal);
        ToolCalls = (RendersTools ? ToolCallSyntax.Detect(source) : null) ?? ToolCallSyntax.Hermes;
        Reasoning = ReasoningSyntax.Detect(source);
        Stop = StopStrings(source, specialTokens);
    }

    public override string Name { get; }

    public override string Template => _template.Source;

    public override IReadOnlyList<string> Stop { get; }

    public override ToolCallSyntax ToolCalls { get; }

    public override ReasoningSyntax? Reasoning { get; }

    public override bool RendersTools { get; }

    public override RenderedPrompt Render(string model, IReadOnlyList<ChatMessage> messages, IReadOnlyList<AIFunctionDeclaration> tools, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            throw new InvalidPromptException("At least one message is needed.");
        }

        // A template that does not write tools sees them described in the system message, and earlier calls and
        // results as text in the generic syntax.
        var conversation = RendersTools ? messages : ToolPrompt.Render(messages, tools.Count > 0 ? ToolPrompt.Describe(tools) : null);
        var template = tools.Count > 0 && _toolUse is not null ? _toolUse : _template;
        string text;
        try
        {
            text = template.Render(ChatTemplateContext.Variables(conversation, RendersTools ? tools : [], options, _specialTokens, _argumentsAsText), _time);
        }
        catch (JinjaRaisedException ex)
        {
            throw new InvalidPromptException(ex.Message);
        }
        catch (JinjaException ex) when (!_argumentsAsText && conversation.Any(m => m.Contents.OfType<FunctionCallContent>().Any()))
        {
            // Some templates (DeepSeek-R1's) concatenate a call's arguments as text: give them JSON text from now on.
            try
            {
                text = template.Render(ChatTemplateContext.Variables(conversation, RendersTools ? tools : [], options, _specialTokens, argumentsAsText: true), _time);
                _argumentsAsText = true;
            }
            catch (JinjaRaisedException raised)
            {
                throw new InvalidPromptException(raised.Message);
            }
            catch (JinjaException)
            {
                throw new InvalidPromptException($"Model '{model}' cannot render this conversation with its chat template: {ex.Message}");
            }
        }
        catch (JinjaException ex)
        {
            throw new InvalidPromptException($"Model '{model}' cannot render this conversation with its chat template: {ex.Message}");
        }

        if (_strippedBos is { } bos && text.StartsWith(bos, StringComparison.Ordinal))
        {
            text = text[bos.Length..];
        }

        return new RenderedPrompt(text);
    }

    /// <summary>The strings that end a turn in this template's family, and its EOS when that is written as text.</summary>
    private static List<string> StopStrings(string source, IReadOnlyDictionary<string, string> specialTokens)
    {
        var stops = new List<string>();
        if (source.Contains("<|channel|>", StringComparison.Ordinal))
        {
            // Harmony: <|end|> ends a message, not the response; <|return|> and <|call|> end the response.
            stops.AddRange(["<|return|>", "<|call|>"]);
        }
        else
        {
            if (ChatTemplates.Detect(source) is { } family)
            {
                stops.AddRange(family.Stop);
            }

            if (specialTokens.TryGetValue("eos_token", out var eos) && eos.Length > 0 && source.Contains("eos_token", StringComparison.Ordinal))
            {
                stops.Add(eos);
            }
        }

        return [.. stops.Distinct(StringComparer.Ordinal)];
    }
}
