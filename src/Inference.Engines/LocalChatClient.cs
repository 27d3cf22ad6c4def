using Microsoft.Extensions.AI;

namespace Inference.Engines;

/// <summary>
/// What every local engine's <see cref="IChatClient"/> shares: metadata built once, non-streaming as streaming
/// gathered up, <see cref="GetService"/> exposing the metadata and the loaded model, and disposal of the model when
/// the client owns it. Engines implement <see cref="GetStreamingResponseAsync"/>.
/// </summary>
public abstract class LocalChatClient<TModel>(TModel model, ChatClientMetadata metadata, bool ownsModel) : IChatClient
    where TModel : class, IDisposable
{
    /// <summary>The loaded model this client runs.</summary>
    public TModel Model => model;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public abstract IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default);

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? metadata
            : serviceType == typeof(TModel) ? model
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        if (ownsModel)
        {
            model.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}
