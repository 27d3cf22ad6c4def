using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Inference.Serving.Local;

/// <summary>A resident model's chat client: each call holds a lease (loading the model if it is out), released when the answer or stream ends.</summary>
internal sealed class ResidentChatClient(ResidentModel model, TimeProvider time) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        model.LeasedAsync(loaded => loaded.ChatClient!.GetResponseAsync(messages, options, cancellationToken), options?.AdditionalProperties, time, cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var loaded = await model.AcquireAsync(cancellationToken);
        try
        {
            await foreach (var update in loaded.ChatClient!.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                yield return update;
            }
        }
        finally
        {
            model.Release(ResidentOptions.KeepAliveOf(options?.AdditionalProperties), time.GetUtcNow());
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ResidentModel) ? model
        : model.Loaded?.ChatClient?.GetService(serviceType, serviceKey)
            ?? (serviceType == typeof(ChatClientMetadata) && serviceKey is null ? new ChatClientMetadata("inference-aspire", null, model.Id) : null);

    public void Dispose()
    {
        // The model belongs to its ResidentModel.
    }
}

/// <summary>A resident model's embedding generator, leased per call as the chat client is.</summary>
internal sealed class ResidentEmbeddingGenerator(ResidentModel model, TimeProvider time) : IEmbeddingGenerator<string, Embedding<float>>
{
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        model.LeasedAsync(loaded => loaded.EmbeddingGenerator!.GenerateAsync(values, options, cancellationToken), options?.AdditionalProperties, time, cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ResidentModel) ? model
        : model.Loaded?.EmbeddingGenerator?.GetService(serviceType, serviceKey)
            ?? (serviceType == typeof(EmbeddingGeneratorMetadata) && serviceKey is null ? new EmbeddingGeneratorMetadata("inference-aspire", null, model.Id) : null);

    public void Dispose()
    {
        // The model belongs to its ResidentModel.
    }
}

/// <summary>Reads a request's keep_alive from its options.</summary>
internal static class ResidentOptions
{
    public static TimeSpan? KeepAliveOf(AdditionalPropertiesDictionary? properties) =>
        properties?.TryGetValue(EngineChatOptions.KeepAlive, out var value) == true && value is TimeSpan keep ? keep : null;
}

/// <summary>A resident model's runtime status: the loaded engine's, or an idle one while it is out of memory.</summary>
internal sealed class ResidentStatus(ResidentModel model) : IModelRuntimeStatus
{
    private IModelRuntimeStatus? Inner => model.Loaded?.Status;

    public string Model => model.Id;

    public int QueueDepth => Inner?.QueueDepth ?? 0;

    public int QueueCapacity => Inner?.QueueCapacity ?? model.LastCapacity.QueueCapacity;

    public int ActiveSequences => Inner?.ActiveSequences ?? 0;

    public int MaxSequences => Inner?.MaxSequences ?? model.LastCapacity.MaxSequences;

    public int? KvCellsUsed => Inner?.KvCellsUsed;

    public int? KvCellsCapacity => Inner?.KvCellsCapacity;

    public double TokensPerSecond => Inner?.TokensPerSecond ?? 0;
}
