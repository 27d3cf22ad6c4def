using System.Diagnostics;
using System.Runtime.CompilerServices;
using Inference.Engines.Grammars;
using Inference.Engines.Structured;
using Inference.Engines.Templates;
using Inference.Onnx.Generation;
using Microsoft.Extensions.AI;

namespace Inference.Onnx.Chat;

/// <summary>
/// <see cref="IChatClient"/> over a local ONNX model: messages are rendered with the model's chat format (or sent
/// raw), generated token by token with the KV cache, and streamed as one update per piece of text, then a final update
/// with the finish reason and usage. Safe for concurrent calls: each request waits its turn in the model's queue, and those running share decode steps
/// when the model batches.
/// </summary>
public sealed class OnnxChatClient(LocalChatModel model, bool ownsModel = false)
    : LocalChatClient<LocalChatModel>(model, new ChatClientMetadata("onnxruntime", new Uri(Path.GetFullPath(model.Folder)), model.Id), ownsModel)
{
    public override ChatFormat? Format => Model.Format;

    public override IPromptTokenizer? Tokenizer => Model.Tokenizer;

    protected override async IAsyncEnumerable<ChatResponseUpdate> GenerateAsync(
        StructuredOutput structured,
        ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var promptIds = Model.Tokenizer.Encode(structured.Prompt.Text);
        var settings = ToSettings(options) with { ReasoningBudget = structured.BudgetPlan(Model.Tokenizer.Encode) };
        Model.Generator.Validate(promptIds, settings.MaxNewTokens);
        if (structured.MinimumOutput is { } minimum)
        {
            ContextWindowExceededException.ThrowIfNoRoom(promptIds.Length, Model.Tokenizer.Encode(minimum).Length, Model.ContextLength, structured.MinimumOutputName);
        }

        var grammar = structured.Grammar;

        // Before the queue: the first constrained request builds the model's token trie, which should hold no slot.
        using var constraint = grammar is null ? null : new GrammarConstraint(grammar, Model.Trie, Model.StopTokenIds);
        var updates = new ChatUpdateFactory(Model.Id);
        var arrived = Stopwatch.GetTimestamp();
        using var lease = await Model.Queue.EnterAsync(cancellationToken).ConfigureAwait(false);
        var tag = EngineTelemetry.Tag(Model.Id);
        var first = true;
        await foreach (var chunk in Model.GenerateAsync(promptIds, settings, constraint, cancellationToken).ConfigureAwait(false))
        {
            if (chunk.Text.Length > 0)
            {
                Model.Queue.Generated.Add(1);
                if (first)
                {
                    first = false;
                    EngineTelemetry.TimeToFirstToken.Record(Stopwatch.GetElapsedTime(arrived).TotalSeconds, tag);
                }
            }

            if (chunk.Finish is not { } finish)
            {
                yield return updates.Text(chunk.Text);
                continue;
            }

            EngineTelemetry.PromptTokens.Add(finish.PromptTokens, tag);
            EngineTelemetry.GeneratedTokens.Add(finish.CompletionTokens, tag);
            yield return updates.Finish(chunk.Text, finish.Reason == FinishReason.Stop ? ChatFinishReason.Stop : ChatFinishReason.Length, finish.PromptTokens, finish.CompletionTokens);
        }
    }

    private GenerationSettings ToSettings(ChatOptions? options)
    {
        var config = Model.Config;
        return new GenerationSettings
        {
            MaxNewTokens = options?.MaxOutputTokens,
            // Without an explicit temperature the model's generation_config decides: greedy unless do_sample is set.
            Temperature = options?.Temperature ?? (config.DoSample ? config.DefaultTemperature ?? 1f : 0f),
            TopP = options?.TopP ?? (config.DoSample ? config.DefaultTopP ?? 1f : 1f),
            TopK = options?.TopK ?? (config.DoSample ? config.DefaultTopK ?? 0 : 0),
            MinP = ChatPrompt.Float(options, EngineChatOptions.MinP) ?? 0f,
            FrequencyPenalty = options?.FrequencyPenalty ?? 0f,
            PresencePenalty = options?.PresencePenalty ?? 0f,
            RepetitionPenalty = ChatPrompt.Float(options, EngineChatOptions.RepetitionPenalty) ?? config.DefaultRepetitionPenalty ?? 1f,
            Seed = options?.Seed,
            StopSequences = options?.StopSequences is { } stops ? [.. stops] : [],
            StopTokenIds = ChatPrompt.Flag(options, EngineChatOptions.IgnoreEos) ? [] : Model.StopTokenIds,
        };
    }
}
