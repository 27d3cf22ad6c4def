using System.Text.Json;
using Inference.Protocols.OpenAI.Contracts;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.OpenAI;

/// <summary>
/// Writes one streamed chat completion's chunks: the role first, then text and reasoning deltas, tool calls as OpenAI's tool-call
/// deltas (id, type and name, then the arguments, each call under its index), the finish reason, and the usage last.
/// The <c>model</c> is the one that answered, as the updates say (a fallback's, when one answered).
/// </summary>
internal sealed class ChatChunkWriter(string model, long created)
{
    private string _model = model;
    private string? _id;
    private bool _first = true;
    private int _calls;

    public IEnumerable<string> Render(ChatResponseUpdate update)
    {
        _id ??= update.ResponseId ?? "chatcmpl-" + Guid.NewGuid().ToString("N");
        _model = update.ModelId ?? _model;
        var chunks = new List<string>(2);
        if (_first)
        {
            _first = false;
            chunks.Add(Chunk(new ChatDelta("assistant", "")));
        }

        foreach (var content in update.Contents)
        {
            switch (content)
            {
                case TextReasoningContent { Text.Length: > 0 } reasoning:
                    chunks.Add(Chunk(new ChatDelta(ReasoningContent: reasoning.Text)));
                    break;
                case TextContent { Text.Length: > 0 } text:
                    chunks.Add(Chunk(new ChatDelta(Content: text.Text)));
                    break;
            }
        }

        foreach (var call in update.Contents.OfType<FunctionCallContent>())
        {
            var index = _calls++;
            var arguments = ToolArguments.Json(call);
            chunks.Add(Chunk(new ChatDelta(ToolCalls: [new ToolCallDelta(index, call.CallId, "function", new FunctionCallDelta(call.Name, ""))])));
            chunks.Add(Chunk(new ChatDelta(ToolCalls: [new ToolCallDelta(index, Function: new FunctionCallDelta(Arguments: arguments))])));
        }

        if (update.FinishReason is { } reason)
        {
            chunks.Add(Serialize(new ChatCompletionChunk(Id, created, _model, [new ChatChunkChoice(0, new ChatDelta(), OpenAISse.FinishReason(reason))])));
        }

        return chunks;
    }

    public string Usage(UsageDetails? usage) => Serialize(new ChatCompletionChunk(Id, created, _model, [], OpenAISse.ToUsage(usage)));

    private string Id => _id ??= "chatcmpl-" + Guid.NewGuid().ToString("N");

    private string Chunk(ChatDelta delta) => Serialize(new ChatCompletionChunk(Id, created, _model, [new ChatChunkChoice(0, delta, null)]));

    private static string Serialize(ChatCompletionChunk chunk) => JsonSerializer.Serialize(chunk, OpenAIJsonContext.Default.ChatCompletionChunk);
}
