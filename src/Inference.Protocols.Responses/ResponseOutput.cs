using Inference.Protocols.OpenAI;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.Responses;

/// <summary>
/// A model's answer as the Responses API writes it: its reasoning as reasoning items (the text as summary), its text as
/// a message of output_text, each call as a function_call item, in the order the model wrote them; the status
/// (incomplete when cut, saying why) and the usage.
/// </summary>
internal static class ResponseOutput
{
    public static List<ResponseItem> Items(ChatResponse response)
    {
        var items = new List<ResponseItem>();
        var incomplete = IncompleteReason(response.FinishReason) is not null;
        foreach (var content in response.Messages.SelectMany(m => m.Contents))
        {
            switch (content)
            {
                case TextReasoningContent { Text.Length: > 0 } reasoning when items is [.., { Type: "reasoning" } last]:
                    items[^1] = last with { Summary = [ContentPart.SummaryText(last.Summary![0].Text + reasoning.Text)] };
                    break;
                case TextReasoningContent { Text.Length: > 0 } reasoning:
                    items.Add(ResponseItem.Reasoning(Ids.Reasoning(), [ContentPart.SummaryText(reasoning.Text)]));
                    break;
                case TextContent { Text.Length: > 0 } text when items is [.., { Type: "message" } last]:
                    items[^1] = last with { Content = [ContentPart.OutputText(last.Content![0].Text + text.Text)] };
                    break;
                case TextContent { Text.Length: > 0 } text:
                    items.Add(ResponseItem.Message(Ids.Message(), "assistant", [ContentPart.OutputText(text.Text)], incomplete ? "incomplete" : "completed"));
                    break;
                case FunctionCallContent call:
                    items.Add(ResponseItem.FunctionCall(Ids.FunctionCall(), call.CallId, call.Name, ToolArguments.Json(call)));
                    break;
            }
        }

        return items;
    }

    /// <summary>Why the response is incomplete (<c>max_output_tokens</c>, <c>content_filter</c>); null when it completed.</summary>
    public static string? IncompleteReason(ChatFinishReason? reason) =>
        reason == ChatFinishReason.Length ? "max_output_tokens" : reason == ChatFinishReason.ContentFilter ? "content_filter" : null;

    public static ResponseObject Finished(ResponseObject draft, IReadOnlyList<ResponseItem> output, ChatFinishReason? reason, UsageDetails? usage) =>
        IncompleteReason(reason) is { } why
            ? draft with { Status = "incomplete", IncompleteDetails = new IncompleteDetails(why), Output = output, Usage = Usage(usage) }
            : draft with { Status = "completed", Output = output, Usage = Usage(usage) };

    public static ResponseUsage Usage(UsageDetails? usage)
    {
        var input = (int)(usage?.InputTokenCount ?? 0);
        var output = (int)(usage?.OutputTokenCount ?? 0);
        return new ResponseUsage(
            input,
            new InputTokensDetails((int)(usage?.CachedInputTokenCount ?? 0)),
            output,
            new OutputTokensDetails((int)(usage?.ReasoningTokenCount ?? 0)),
            input + output);
    }
}
