using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Inference.Http;
using Inference.Protocols.OpenAI;
using Inference.Serving.Requests;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.Responses;

/// <summary>
/// A streamed response as the Responses API's events: response.created and response.in_progress; each output item
/// added, its content (output_text, a reasoning summary, a call's arguments) opened, streamed as deltas and done, and
/// the item done, as the model moves from reasoning to text to calls; then response.completed (or response.incomplete
/// when cut), with the output and usage. A model that fails midway ends with an error event and response.failed.
/// </summary>
internal sealed class ResponseEvents(ResponseObject draft, Func<ResponseObject, CancellationToken, Task<ResponseObject>> finish)
{
    private readonly List<ResponseItem> _output = [];
    private readonly StringBuilder _text = new();
    private int _sequence;
    private ResponseItem? _open;

    public async IAsyncEnumerable<SseItem<string>> WriteAsync(IAsyncEnumerator<ChatResponseUpdate> updates, bool any, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        UsageDetails? usage = null;
        ChatFinishReason? reason = null;
        InferenceError? failure = null;
        try
        {
            yield return Event(new("response.created", 0) { Response = draft });
            yield return Event(new("response.in_progress", 0) { Response = draft });
            for (var more = any; more;)
            {
                var update = updates.Current;
                usage = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details ?? usage;
                reason = update.FinishReason ?? reason;
                foreach (var content in update.Contents)
                {
                    foreach (var item in Read(content))
                    {
                        yield return item;
                    }
                }

                (more, failure) = await FirstUpdate.NextAsync(updates, "input", cancellationToken);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                yield break; // the caller went away: nothing is finished, nothing stored
            }

            foreach (var item in Close(failure is null && ResponseOutput.IncompleteReason(reason) is null ? "completed" : "incomplete"))
            {
                yield return item;
            }

            if (failure is not null)
            {
                yield return Event(new("error", 0) { Code = "server_error", Message = failure.Message });
                yield return Event(new("response.failed", 0)
                {
                    Response = draft with { Status = "failed", Error = new ResponseError("server_error", failure.Message), Output = [.. _output], Usage = ResponseOutput.Usage(usage) },
                });
                yield break;
            }

            var done = await finish(ResponseOutput.Finished(draft, [.. _output], reason, usage), cancellationToken);
            yield return Event(new(done.Status == "incomplete" ? "response.incomplete" : "response.completed", 0) { Response = done });
        }
        finally
        {
            await updates.DisposeAsync();
        }
    }

    private IEnumerable<SseItem<string>> Read(AIContent content)
    {
        var (kind, text) = content switch
        {
            TextReasoningContent { Text.Length: > 0 } r => ("reasoning", r.Text),
            TextContent { Text.Length: > 0 } t => ("message", t.Text),
            _ => ((string?)null, ""),
        };
        if (content is FunctionCallContent call)
        {
            foreach (var item in Close("completed"))
            {
                yield return item;
            }

            var index = _output.Count;
            var arguments = ToolArguments.Json(call);
            var done = ResponseItem.FunctionCall(Ids.FunctionCall(), call.CallId, call.Name, arguments);
            _output.Add(done);
            yield return Event(new("response.output_item.added", 0) { OutputIndex = index, Item = done with { Arguments = "", Status = "in_progress" } });
            yield return Event(new("response.function_call_arguments.delta", 0) { ItemId = done.Id, OutputIndex = index, Delta = arguments });
            yield return Event(new("response.function_call_arguments.done", 0) { ItemId = done.Id, OutputIndex = index, Name = call.Name, Arguments = arguments });
            yield return Event(new("response.output_item.done", 0) { OutputIndex = index, Item = done });
            yield break;
        }

        if (kind is null)
        {
            yield break;
        }

        if (_open?.Type != kind)
        {
            foreach (var item in Close("completed"))
            {
                yield return item;
            }

            foreach (var item in Open(kind))
            {
                yield return item;
            }
        }

        _text.Append(text);
        yield return kind == "reasoning"
            ? Event(new("response.reasoning_summary_text.delta", 0) { ItemId = _open!.Id, OutputIndex = _output.Count, SummaryIndex = 0, Delta = text })
            : Event(new("response.output_text.delta", 0) { ItemId = _open!.Id, OutputIndex = _output.Count, ContentIndex = 0, Delta = text, Logprobs = [] });
    }

    private IEnumerable<SseItem<string>> Open(string kind)
    {
        var index = _output.Count;
        if (kind == "reasoning")
        {
            _open = ResponseItem.Reasoning(Ids.Reasoning(), []);
            yield return Event(new("response.output_item.added", 0) { OutputIndex = index, Item = _open });
            yield return Event(new("response.reasoning_summary_part.added", 0) { ItemId = _open.Id, OutputIndex = index, SummaryIndex = 0, Part = ContentPart.SummaryText("") });
        }
        else
        {
            _open = ResponseItem.Message(Ids.Message(), "assistant", [], "in_progress");
            yield return Event(new("response.output_item.added", 0) { OutputIndex = index, Item = _open });
            yield return Event(new("response.content_part.added", 0) { ItemId = _open.Id, OutputIndex = index, ContentIndex = 0, Part = ContentPart.OutputText("") });
        }
    }

    /// <summary>Ends the open item: its text done, its part done, the item done with <paramref name="status"/>.</summary>
    private IEnumerable<SseItem<string>> Close(string status)
    {
        if (_open is not { } open)
        {
            yield break;
        }

        var index = _output.Count;
        var text = _text.ToString();
        _text.Clear();
        _open = null;
        if (open.Type == "reasoning")
        {
            var part = ContentPart.SummaryText(text);
            var done = open with { Summary = [part] };
            _output.Add(done);
            yield return Event(new("response.reasoning_summary_text.done", 0) { ItemId = open.Id, OutputIndex = index, SummaryIndex = 0, Text = text });
            yield return Event(new("response.reasoning_summary_part.done", 0) { ItemId = open.Id, OutputIndex = index, SummaryIndex = 0, Part = part });
            yield return Event(new("response.output_item.done", 0) { OutputIndex = index, Item = done });
        }
        else
        {
            var part = ContentPart.OutputText(text);
            var done = open with { Status = status, Content = [part] };
            _output.Add(done);
            yield return Event(new("response.output_text.done", 0) { ItemId = open.Id, OutputIndex = index, ContentIndex = 0, Text = text, Logprobs = [] });
            yield return Event(new("response.content_part.done", 0) { ItemId = open.Id, OutputIndex = index, ContentIndex = 0, Part = part });
            yield return Event(new("response.output_item.done", 0) { OutputIndex = index, Item = done });
        }
    }

    private SseItem<string> Event(ResponseEvent data) =>
        new(JsonSerializer.Serialize(data with { SequenceNumber = _sequence++ }, ResponsesJsonContext.Default.ResponseEvent), data.Type);
}
