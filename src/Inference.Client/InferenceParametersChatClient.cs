using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace Inference.Client;

/// <summary>
/// Sends what a request asks of its output to an OpenAI-compatible endpoint as it was asked. MEAI's OpenAI client
/// sends only OpenAI's own parameters and rewrites JSON schemas for OpenAI's strict mode (moving maxLength, minimum,
/// minItems, pattern and the like into descriptions); our API, llama.cpp's server and vLLM enforce those, so this
/// sends the schema unchanged, and the extra fields (<c>grammar</c>, <c>top_k</c>, <c>min_p</c>,
/// <c>repetition_penalty</c>, <c>ignore_eos</c>, from <see cref="ChatOptions.AdditionalProperties"/> under those names)
/// in the request body, with the chat template's fields (<c>chat_template_kwargs</c>, <c>add_generation_prompt</c>,
/// <c>reasoning_budget</c>); MEAI reads back the <c>reasoning_content</c> such servers answer with. Without it a
/// constraint would be dropped on the way, silently.
/// </summary>
public sealed class InferenceParametersChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    /// <summary>An extra field's name, as the wire and ChatOptions.AdditionalProperties spell it.</summary>
    public const string Grammar = ExtraChatFields.Grammar;

    /// <inheritdoc cref="Grammar"/>
    public const string MinP = ExtraChatFields.MinP;

    /// <inheritdoc cref="Grammar"/>
    public const string RepetitionPenalty = ExtraChatFields.RepetitionPenalty;

    /// <inheritdoc cref="Grammar"/>
    public const string IgnoreEos = ExtraChatFields.IgnoreEos;

    private static readonly byte[] GrammarPath = PathOf(Grammar);
    private static readonly byte[] TopKPath = PathOf(ExtraChatFields.TopK);
    private static readonly byte[] MinPPath = PathOf(MinP);
    private static readonly byte[] RepetitionPenaltyPath = PathOf(RepetitionPenalty);
    private static readonly byte[] IgnoreEosPath = PathOf(IgnoreEos);
    private static readonly byte[] TemplateKwargsPath = PathOf(ExtraChatFields.ChatTemplateKwargs);
    private static readonly byte[] AddGenerationPromptPath = PathOf(ExtraChatFields.AddGenerationPrompt);
    private static readonly byte[] ReasoningBudgetPath = PathOf(ExtraChatFields.ReasoningBudget);

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, Forwarding(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, Forwarding(options), cancellationToken);

    /// <summary>The JSON path of a top-level field of the request body.</summary>
    private static byte[] PathOf(string field) => System.Text.Encoding.UTF8.GetBytes("$." + field);

    private static ChatOptions? Forwarding(ChatOptions? options)
    {
        var extras = options?.AdditionalProperties;
        var grammar = extras?.TryGetValue(Grammar, out string? g) == true ? g : null;
        var minP = extras?.TryGetValue(MinP, out float m) == true ? m : (float?)null;
        var repetition = extras?.TryGetValue(RepetitionPenalty, out float r) == true ? r : (float?)null;
        var ignoreEos = extras?.TryGetValue(IgnoreEos, out bool i) == true && i;
        var schema = options?.ResponseFormat is ChatResponseFormatJson { Schema: not null } json ? json : null;
        var templateKwargs = extras?.TryGetValue(ExtraChatFields.ChatTemplateKwargs, out object? kwargs) == true ? kwargs : null;
        var addGenerationPrompt = extras?.TryGetValue(ExtraChatFields.AddGenerationPrompt, out bool add) == true ? add : (bool?)null;
        var reasoningBudget = extras?.TryGetValue(ExtraChatFields.ReasoningBudget, out int budget) == true ? budget : (int?)null;
        if (options is null || (grammar is null && minP is null && repetition is null && !ignoreEos && options.TopK is null && schema is null
            && templateKwargs is null && addGenerationPrompt is null && reasoningBudget is null))
        {
            return options;
        }

        var previous = options.RawRepresentationFactory;
        var topK = options.TopK;
        var copy = options.Clone();
        copy.RawRepresentationFactory = client =>
        {
            var raw = previous?.Invoke(client) as ChatCompletionOptions ?? new ChatCompletionOptions();
            if (schema is not null)
            {
                raw.ResponseFormat ??= OpenAI.Chat.ChatResponseFormat.CreateJsonSchemaFormat(
                    schema.SchemaName ?? "response", BinaryData.FromString(schema.Schema!.Value.GetRawText()), schema.SchemaDescription);
            }
#pragma warning disable SCME0001 // JsonPatch: the documented way to add fields the SDK does not model.
            if (grammar is not null)
            {
                raw.Patch.Set(GrammarPath, grammar);
            }

            if (topK is int k)
            {
                raw.Patch.Set(TopKPath, k);
            }

            if (minP is float p)
            {
                raw.Patch.Set(MinPPath, p);
            }

            if (repetition is float penalty)
            {
                raw.Patch.Set(RepetitionPenaltyPath, penalty);
            }

            if (ignoreEos)
            {
                raw.Patch.Set(IgnoreEosPath, true);
            }

            if (templateKwargs is not null)
            {
                raw.Patch.Set(TemplateKwargsPath, BinaryData.FromString(templateKwargs is System.Text.Json.JsonElement element
                    ? element.GetRawText()
                    : System.Text.Json.JsonSerializer.Serialize(templateKwargs, AIJsonUtilities.DefaultOptions)));
            }

            if (addGenerationPrompt is bool prompt)
            {
                raw.Patch.Set(AddGenerationPromptPath, prompt);
            }

            if (reasoningBudget is int tokens)
            {
                raw.Patch.Set(ReasoningBudgetPath, tokens);
            }
#pragma warning restore SCME0001
            return raw;
        };
        return copy;
    }
}
