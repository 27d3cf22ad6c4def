using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Inference.Serving.Auditing;

/// <summary>Records every chat call (tokens, latency, time to first token, outcome) in the audit log.</summary>
internal sealed class AuditingChatClient(IChatClient inner, IInferenceAuditLog log, TimeProvider time, string model, string provider)
    : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var recorder = Start();
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            recorder.FromCache(response.AdditionalProperties);
            recorder.Succeeded(response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount);
            return response;
        }
        catch (Exception ex)
        {
            recorder.Failed(ex);
            throw;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var recorder = Start();
        long? input = null, output = null;
        var completed = false;
        var enumerator = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await enumerator.MoveNextAsync())
                    {
                        break;
                    }

                    update = enumerator.Current;
                }
                catch (Exception ex)
                {
                    recorder.Failed(ex, input, output);
                    throw;
                }

                recorder.FromCache(update.AdditionalProperties);
                if (update.Text.Length > 0)
                {
                    recorder.FirstToken();
                }

                foreach (var usage in update.Contents.OfType<UsageContent>())
                {
                    input = usage.Details.InputTokenCount ?? input;
                    output = usage.Details.OutputTokenCount ?? output;
                }

                yield return update;
            }

            completed = true;
            recorder.Succeeded(input, output);
        }
        finally
        {
            if (!completed)
            {
                recorder.Abandoned(input, output);
            }

            await enumerator.DisposeAsync();
        }
    }

    private InferenceCallRecorder Start() => new(log, time, model, provider, "chat");
}
