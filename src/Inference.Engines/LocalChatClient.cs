using System.Runtime.CompilerServices;
using Inference.Engines.Structured;
using Microsoft.Extensions.AI;

namespace Inference.Engines;

/// <summary>
/// What every local engine's <see cref="IChatClient"/> shares: metadata built once, non-streaming as streaming
/// gathered up, structured output (response formats, grammars, tools: see <see cref="StructuredOutput"/>) worked
/// out before the engine runs and tool calls read from what it wrote, <see cref="GetService"/> exposing the metadata
/// and the loaded model, and disposal of the model when the client owns it. Engines implement
/// <see cref="GenerateAsync"/>, enforcing the grammar they are given while decoding.
/// </summary>
public abstract class LocalChatClient<TModel>(TModel model, ChatClientMetadata metadata, bool ownsModel) : IChatClient
    where TModel : class, IDisposable
{
    /// <summary>The loaded model this client runs.</summary>
    public TModel Model => model;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var structured = StructuredOutput.Create(messages, options, Format, metadata.DefaultModelId ?? "");
        var updates = GenerateAsync(structured, options, cancellationToken);
        await foreach (var update in structured.Shape(updates, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <summary>How the model's conversations become its prompt; null when it has no template (raw prompts only).</summary>
    public abstract Templates.ChatFormat? Format { get; }

    /// <summary>The model's tokenizer as the engine runs it, for inspecting prompts; null when the engine has none to show.</summary>
    public virtual IPromptTokenizer? Tokenizer => null;

    /// <summary>
    /// Generates the response to <see cref="StructuredOutput.Prompt"/>; when a
    /// <see cref="StructuredOutput.Grammar"/> is set, the output must match it, and a prompt that leaves no room for
    /// <see cref="StructuredOutput.MinimumOutput"/> is refused (<see cref="ContextWindowExceededException.ThrowIfNoRoom"/>).
    /// </summary>
    protected abstract IAsyncEnumerable<ChatResponseUpdate> GenerateAsync(StructuredOutput structured, ChatOptions? options, CancellationToken cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? metadata
            : serviceType == typeof(TModel) ? model
            : serviceType == typeof(Templates.ChatFormat) ? Format
            : serviceType == typeof(IPromptTokenizer) ? Tokenizer
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
