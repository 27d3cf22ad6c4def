using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Inference.Serving.Routing;

/// <summary>
/// A request's chat client: its model and fallbacks, run by a <see cref="RouteRunner"/>. A stream falls back only
/// before its first update (after that the caller has seen part of an answer); the answering model's id is on every
/// response and update.
/// </summary>
public sealed class RoutedChatClient(RouteRunner runner) : IChatClient
{
    public RouteRunner Runner => runner;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var history = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var response = await runner.RunAsync((model, attempt) => model.ChatClient!.GetResponseAsync(history, options, attempt.Token), cancellationToken);
        response.ModelId = runner.AnsweredBy.Id;
        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var history = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var (updates, any, lifetime) = await runner.RunAsync(async (model, attempt) =>
        {
            var enumerator = model.ChatClient!.GetStreamingResponseAsync(history, options, attempt.Token).GetAsyncEnumerator(attempt.Token);
            try
            {
                var first = await enumerator.MoveNextAsync();
                return (enumerator, first, attempt.KeepForStream());
            }
            catch
            {
                await enumerator.DisposeAsync();
                throw;
            }
        }, cancellationToken);

        using (lifetime)
        {
            await using (updates)
            {
                var id = runner.AnsweredBy.Id;
                for (var more = any; more; more = await updates.MoveNextAsync())
                {
                    updates.Current.ModelId = id;
                    yield return updates.Current;
                }
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        runner.Decision.Model.ChatClient?.GetService(serviceType, serviceKey);

    public void Dispose()
    {
        // The models' clients belong to the catalog.
    }
}
