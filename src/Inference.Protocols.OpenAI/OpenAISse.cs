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

                (more, var error) = await FirstUpdate.NextAsync(enumerator, promptParam, cancellationToken).ConfigureAwait(false);
                if (error is not null)
                {
                    // A failure mid-stream becomes an error event (the status line is already sent).
                    yield return JsonSerializer.Serialize(ApiErrors.OpenAIBody(error), ErrorJsonContext.Default.OpenAIErrorResponse);
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
