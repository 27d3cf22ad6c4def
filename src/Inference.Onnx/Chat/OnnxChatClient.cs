using System.Diagnostics;
using System.Runtime.CompilerServices;
using Inference.Onnx.Generation;
using Microsoft.Extensions.AI;

namespace Inference.Onnx.Chat;

/// <summary>
/// <see cref="IChatClient"/> over a local ONNX model: messages are rendered with the model's chat template (or sent
/// raw), generated token by token with the KV cache, and streamed as one update per piece of text, then a final update
/// with the finish reason and usage. Safe for concurrent calls: each request waits its turn in the model's queue.
/// </summary>
public sealed class OnnxChatClient : IChatClient
{
    private readonly LocalChatModel _model;
    private readonly bool _ownsModel;
    private readonly ChatClientMetadata _metadata;

    public OnnxChatClient(LocalChatModel model, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _ownsModel = ownsModel;
        _metadata = new ChatClientMetadata("onnxruntime", new Uri(Path.GetFullPath(model.Folder)), model.Id);
    }

    public LocalChatModel Model => _model;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var promptIds = _model.Tokenizer.Encode(BuildPrompt(messages, options));
        var settings = ToSettings(options);
        _model.Generator.Validate(promptIds, settings.MaxNewTokens);

        var updates = new ChatUpdateFactory(_model.Id);
        var arrived = Stopwatch.GetTimestamp();
        using var lease = await _model.Queue.EnterAsync(cancellationToken).ConfigureAwait(false);
        var tag = EngineTelemetry.Tag(_model.Id);
        var first = true;
        await foreach (var chunk in _model.Generator.GenerateAsync(promptIds, settings, cancellationToken).ConfigureAwait(false))
        {
            if (chunk.Text.Length > 0)
            {
                _model.Queue.Generated.Add(1);
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

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(LocalChatModel) ? _model
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        if (_ownsModel)
        {
            _model.Dispose();
        }
    }

    private string BuildPrompt(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        if (ChatPrompt.IsRaw(options))
        {
            return ChatPrompt.RawText(messages);
        }

        var template = _model.Template ?? throw ChatPrompt.NoTemplate(_model.Id);
        return template.RenderPrompt(_model.Id, ChatPrompt.Turns(messages));
    }

    private GenerationSettings ToSettings(ChatOptions? options)
    {
        var config = _model.Config;
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
            StopTokenIds = ChatPrompt.Flag(options, EngineChatOptions.IgnoreEos) ? [] : _model.StopTokenIds,
        };
    }
}
