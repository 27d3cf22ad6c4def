using Inference.Serving.Requests;
using Microsoft.Extensions.AI;

namespace Inference.Http;

/// <summary>
/// A response's first update, awaited before any status is sent: a request the model refuses (its prompt too long, a
/// template's refusal) still gets a proper status and error body, in whichever API's shape the caller uses.
/// </summary>
public static class FirstUpdate
{
    /// <summary>The updates moved to their first one (<c>Any</c> false when there is none); or the error the request caused.</summary>
    public static async Task<(IAsyncEnumerator<ChatResponseUpdate>? Updates, bool Any, InferenceError? Error)> AwaitAsync(
        IAsyncEnumerable<ChatResponseUpdate> updates, string promptParam, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var enumerator = updates.GetAsyncEnumerator(cancellationToken);
        try
        {
            return (enumerator, await enumerator.MoveNextAsync().ConfigureAwait(false), null);
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, promptParam) is { } mapped)
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            return (null, false, mapped);
        }
    }

    /// <summary>
    /// Moves a response on by one update once its stream has begun: false at its end or when the caller went away; a
    /// model that fails midway ends it with the failure (as the request's error when it is one, else the server's), for
    /// the stream's own error event.
    /// </summary>
    public static async Task<(bool More, InferenceError? Failure)> NextAsync(IAsyncEnumerator<ChatResponseUpdate> updates, string promptParam, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        try
        {
            return (await updates.MoveNextAsync().ConfigureAwait(false), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (false, null);
        }
        catch (Exception ex)
        {
            return (false, InferenceErrors.FromException(ex, promptParam) ?? new InferenceError(500, InferenceError.ServerError, "The model failed while generating."));
        }
    }
}
