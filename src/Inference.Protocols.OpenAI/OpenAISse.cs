using System.Runtime.CompilerServices;
using System.Text.Json;
using Inference.Http;
using Inference.Serving.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.OpenAI;

/// <summary>
/// Streams chat updates as OpenAI server-sent events ending with <c>data: [DONE]</c>. The first update is awaited
/// before the response starts, so that a request the model refuses still gets a proper status and error object.
/// </summary>
internal static class OpenAISse
{
    public static async Task<IResult> StreamAsync(
        IAsyncEnumerable<ChatResponseUpdate> updates,
        string promptParam,
        Func<ChatResponseUpdate, IEnumerable<string>> render,
        Func<UsageDetails?, string?> final,
        CancellationToken cancellationToken)
    {
        var enumerator = updates.GetAsyncEnumerator(cancellationToken);
        bool any;
        try
        {
            any = await enumerator.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (OpenAIErrors.TryMap(ex, promptParam) is { } error)
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            return error;
        }

        return TypedResults.ServerSentEvents(Events(enumerator, any, promptParam, render, final, cancellationToken));
    }

    internal static async IAsyncEnumerable<string> Events(
        IAsyncEnumerator<ChatResponseUpdate> enumerator,
        bool any,
        string promptParam,
        Func<ChatResponseUpdate, IEnumerable<string>> render,
        Func<UsageDetails?, string?> final,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        UsageDetails? usage = null;
        try
        {
            var more = any;
            while (more)
            {
                usage = enumerator.Current.Contents.OfType<UsageContent>().FirstOrDefault()?.Details ?? usage;
                foreach (var data in render(enumerator.Current))
                {
                    yield return data;
                }

                (more, var error) = await TryMoveNextAsync(enumerator, promptParam, cancellationToken).ConfigureAwait(false);
                if (error is not null)
                {
                    yield return error;
                    yield break;
                }
            }

            if (final(usage) is { } last)
            {
                yield return last;
            }

            yield return "[DONE]";
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Moves on; a failure mid-stream becomes an error event (the status line is already sent).</summary>
    private static async Task<(bool More, string? Error)> TryMoveNextAsync(IAsyncEnumerator<ChatResponseUpdate> enumerator, string promptParam, CancellationToken cancellationToken)
    {
        try
        {
            return (await enumerator.MoveNextAsync().ConfigureAwait(false), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (false, null);
        }
        catch (Exception ex)
        {
            var error = InferenceErrors.FromException(ex, promptParam) is { } mapped
                ? ApiErrors.OpenAIBody(mapped)
                : new OpenAIErrorResponse(new OpenAIError("The model failed while generating.", InferenceError.ServerError));
            return (false, JsonSerializer.Serialize(error, ErrorJsonContext.Default.OpenAIErrorResponse));
        }
    }

    public static string? FinishReason(ChatFinishReason? reason) => FinishReasons.Name(reason);

    public static Contracts.Usage ToUsage(UsageDetails? usage)
    {
        var prompt = (int)(usage?.InputTokenCount ?? 0);
        var completion = (int)(usage?.OutputTokenCount ?? 0);
        return new Contracts.Usage(
            prompt,
            completion,
            prompt + completion,
            usage?.CachedInputTokenCount is long cached ? new Contracts.PromptTokensDetails((int)cached) : null,
            usage?.ReasoningTokenCount is long reasoning and > 0 ? new Contracts.CompletionTokensDetails((int)reasoning) : null);
    }
}
