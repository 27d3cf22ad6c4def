using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.OpenAI;

/// <summary>A tool call's arguments as OpenAI sends them: one line of JSON text.</summary>
internal static class ToolArguments
{
    private static readonly JsonSerializerOptions Compact = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    public static string Json(FunctionCallContent call) => JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), Compact);
}
