using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Inference.Serving.Safety;

/// <summary>
/// The safety hooks around a model: the prompt screen before the request reaches it (a refusal is a
/// <see cref="PromptRejectedException"/>, a 400), the output sanitiser over its answer and each streamed piece. Either
/// may be absent.
/// </summary>
internal sealed class SafetyChatClient(IChatClient inner, IPromptScreen? screen, IOutputSanitizer? sanitizer) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = await ScreenAsync(messages, cancellationToken);
        var response = await base.GetResponseAsync(list, options, cancellationToken);
        if (sanitizer is not null)
        {
            foreach (var content in response.Messages.SelectMany(m => m.Contents).OfType<TextContent>())
            {
                content.Text = sanitizer.Sanitize(content.Text);
            }
        }

        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = await ScreenAsync(messages, cancellationToken);
        await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken))
        {
            if (sanitizer is not null)
            {
                foreach (var content in update.Contents.OfType<TextContent>())
                {
                    content.Text = sanitizer.Sanitize(content.Text);
                }
            }

            yield return update;
        }
    }

    private async Task<IReadOnlyList<ChatMessage>> ScreenAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        if (screen is not null && await screen.ScreenAsync(list, cancellationToken) is { } reason)
        {
            throw new PromptRejectedException(reason);
        }

        return list;
    }
}
