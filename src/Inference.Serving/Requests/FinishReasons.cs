using Microsoft.Extensions.AI;

namespace Inference.Serving.Requests;

/// <summary>A finish reason by the name OpenAI's and most other APIs give it: stop, length, tool_calls, content_filter.</summary>
public static class FinishReasons
{
    public static string? Name(ChatFinishReason? reason) => reason is not { } r ? null
        : r == ChatFinishReason.Length ? "length"
        : r == ChatFinishReason.ToolCalls ? "tool_calls"
        : r == ChatFinishReason.ContentFilter ? "content_filter"
        : "stop";
}
