using Microsoft.Extensions.AI;

namespace Inference.Engines;

/// <summary>
/// The updates of one streamed response, as every local engine writes them: one per piece of text under a stable
/// response and message id, then a last one with the finish reason and the usage.
/// </summary>
public sealed class ChatUpdateFactory(string modelId)
{
    private readonly string _responseId = "chatcmpl-" + Guid.NewGuid().ToString("N");
    private readonly string _messageId = "msg-" + Guid.NewGuid().ToString("N");
    private readonly DateTimeOffset _created = DateTimeOffset.UtcNow;

    public ChatResponseUpdate Text(string text) => Update(text.Length > 0 ? [new TextContent(text)] : []);

    /// <param name="cachedTokens">Prompt tokens whose computation was reused from an earlier request, when the engine does that.</param>
    public ChatResponseUpdate Finish(string text, ChatFinishReason reason, int promptTokens, int completionTokens, int? cachedTokens = null)
    {
        var update = Text(text);
        update.FinishReason = reason;
        update.Contents.Add(new UsageContent(new UsageDetails
        {
            InputTokenCount = promptTokens,
            OutputTokenCount = completionTokens,
            TotalTokenCount = promptTokens + completionTokens,
            CachedInputTokenCount = cachedTokens,
        }));
        return update;
    }

    private ChatResponseUpdate Update(IList<AIContent> contents) => new(ChatRole.Assistant, contents)
    {
        ResponseId = _responseId,
        MessageId = _messageId,
        ModelId = modelId,
        CreatedAt = _created,
    };
}
