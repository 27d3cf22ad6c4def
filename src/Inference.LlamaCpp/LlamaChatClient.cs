using System.Runtime.CompilerServices;
using Inference.Engines.Grammars;
using Inference.Engines.Structured;
using Inference.Engines.Templates;
using Inference.LlamaCpp.Scheduling;
using Microsoft.Extensions.AI;

namespace Inference.LlamaCpp;

/// <summary>
/// <see cref="IChatClient"/> over a GGUF model in llama.cpp: the conversation is rendered with the model's template
/// (or sent raw), tokenized by llama.cpp, and decoded in the model's running batch beside other requests; text streams
/// as one update per piece, then a final update with the finish reason and the usage (reused prompt tokens as cached
/// input tokens). Safe for concurrent calls: that is what the batch is for.
/// </summary>
public sealed class LlamaChatClient(LlamaChatModel model, bool ownsModel = false)
    : LocalChatClient<LlamaChatModel>(model, new ChatClientMetadata("llama.cpp", new Uri(Path.GetFullPath(model.File.Path)), model.Id), ownsModel)
{
    public override ChatFormat? Format => Model.Format;

    public override IPromptTokenizer? Tokenizer => Model.Vocabulary;

    protected override async IAsyncEnumerable<ChatResponseUpdate> GenerateAsync(
        StructuredOutput structured,
        ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = CreateRequest(structured, options, cancellationToken);
        await foreach (var output in Run(request, cancellationToken).ConfigureAwait(false))
        {
            yield return output;
        }
    }

    /// <summary>Runs a request through the scheduler, streaming its text; leaving early drops it from the batch.</summary>
    internal async IAsyncEnumerable<ChatResponseUpdate> Run(SequenceRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Model.Scheduler.Submit(request);
        using var nudge = cancellationToken.Register(LlamaScheduler.Nudge);
        var updates = new ChatUpdateFactory(Model.Id);
        try
        {
            await foreach (var output in request.Output.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return output.Finish is { } finish
                    ? updates.Finish(output.Text, finish.Reason, finish.PromptTokens, finish.CompletionTokens, finish.CachedTokens)
                    : updates.Text(output.Text);
            }
        }
        finally
        {
            request.Abandon();
        }
    }

    /// <summary>The request for a conversation, rendered and constrained as <see cref="StructuredOutput"/> works out.</summary>
    internal SequenceRequest CreateRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken, TokenObserver? observer = null) =>
        CreateRequest(StructuredOutput.Create(messages, options, Format, Model.Id), options, cancellationToken, observer);

    /// <summary>The request for a prompt: its tokens, grammar, sampling and limits, checked before it is queued.</summary>
    internal SequenceRequest CreateRequest(StructuredOutput structured, ChatOptions? options, CancellationToken cancellationToken, TokenObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(structured);
        var grammar = structured.Grammar;
        var prompt = Model.Vocabulary.Tokenize(structured.Prompt.Text);
        if (prompt.Length == 0)
        {
            throw new InvalidPromptException("The prompt is empty.");
        }

        var context = Model.ContextLength;
        if (prompt.Length >= context)
        {
            throw new ContextWindowExceededException(prompt.Length, context);
        }

        if (options?.MaxOutputTokens is int max && prompt.Length + max > context)
        {
            throw new ContextWindowExceededException(prompt.Length + max, context, prompt.Length, max);
        }

        if (structured.MinimumOutput is { } minimum)
        {
            ContextWindowExceededException.ThrowIfNoRoom(prompt.Length, Model.Vocabulary.Tokenize(minimum, addBos: false).Length, context, structured.MinimumOutputName);
        }

        if (grammar is not null)
        {
            // Built here on the caller's thread the first time, not on the scheduler's, where it would stall the batch.
            _ = Model.Vocabulary.Trie;
        }

        return new SequenceRequest
        {
            Prompt = prompt,
            Sampling = Sampling(options),
            MaxNewTokens = options?.MaxOutputTokens ?? context - prompt.Length,
            StopSequences = [.. options?.StopSequences?.Where(s => s.Length > 0) ?? [], .. Model.Format?.Stop ?? []],
            IgnoreEndOfGeneration = ChatPrompt.Flag(options, EngineChatOptions.IgnoreEos),
            Grammar = grammar,
            ReasoningBudget = structured.BudgetPlan(text => Model.Vocabulary.Tokenize(text, addBos: false)),
            Cancellation = cancellationToken,
            TokenObserver = observer,
        };
    }

    /// <summary>The request's sampling; what it leaves unset takes llama.cpp server's defaults.</summary>
    private static SamplingSettings Sampling(ChatOptions? options)
    {
        var defaults = SamplingSettings.Defaults;
        return new SamplingSettings
        {
            Temperature = options?.Temperature ?? defaults.Temperature,
            TopK = options?.TopK ?? defaults.TopK,
            TopP = options?.TopP ?? defaults.TopP,
            MinP = ChatPrompt.Float(options, EngineChatOptions.MinP) ?? defaults.MinP,
            RepetitionPenalty = ChatPrompt.Float(options, EngineChatOptions.RepetitionPenalty) ?? defaults.RepetitionPenalty,
            FrequencyPenalty = options?.FrequencyPenalty ?? defaults.FrequencyPenalty,
            PresencePenalty = options?.PresencePenalty ?? defaults.PresencePenalty,
            Seed = options?.Seed is long seed ? unchecked((uint)(seed ^ (seed >> 32))) : null,
        };
    }
}
