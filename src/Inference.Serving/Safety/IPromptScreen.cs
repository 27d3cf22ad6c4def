using Microsoft.Extensions.AI;

namespace Inference.Serving.Safety;

/// <summary>Decides whether a chat request's messages may reach the model: register one to replace the built-in heuristic.</summary>
public interface IPromptScreen
{
    /// <summary>Why the messages are refused, or null to let them through.</summary>
    ValueTask<string?> ScreenAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken);
}
