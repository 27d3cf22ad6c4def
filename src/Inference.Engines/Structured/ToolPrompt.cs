using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Structured;

/// <summary>
/// The generic tool prompt, for models whose template cannot describe tools itself: the Hermes / Qwen convention that
/// tool-trained ChatML models know. The tools are listed as OpenAI function objects inside <c>&lt;tools&gt;</c> in the
/// system message; a call is <c>&lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt;</c> in the
/// assistant's turn; a result comes back in a user turn inside <c>&lt;tool_response&gt;</c>. Earlier calls and results
/// in the history are written the same way, so every engine's template sees only text.
/// </summary>
public static class ToolPrompt
{
    public const string CallOpen = "<tool_call>\n";
    public const string CallClose = "\n</tool_call>";

    /// <summary>
    /// The system text describing <paramref name="tools"/>: the tools as OpenAI function objects in a <c>&lt;tools&gt;</c>
    /// block, and nothing else. It is as short as it can be because it decides whether tools fit a small model's context
    /// at all: the call format needs no instruction, since decoding is held to it by the grammar (and models trained on
    /// this convention know it). JSON is written as it is, without escaping non-ASCII or markup characters.
    /// </summary>
    public static string Describe(IReadOnlyList<AIFunctionDeclaration> tools)
    {
        var builder = new StringBuilder("<tools>");
        foreach (var tool in tools)
        {
            var described = new Dictionary<string, object?> { ["name"] = tool.Name };
            if (!string.IsNullOrEmpty(tool.Description))
            {
                described["description"] = tool.Description;
            }

            described["parameters"] = tool.JsonSchema;
            builder.Append('\n').Append(JsonSerializer.Serialize(described, Compact));
        }

        return builder.Append("\n</tools>").ToString();
    }

    /// <summary>A call block's JSON up to its arguments, as decoding writes it (the grammar) and as the history shows earlier calls.</summary>
    public static string CallHead(string name) => "{\"name\": " + JsonSerializer.Serialize(name, Compact) + ", \"arguments\": ";

    /// <summary>Compact JSON, its text unescaped (a model reads "é" and "&lt;" better than their escapes, in fewer tokens).</summary>
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The conversation as text messages: the tools' description joined to the system message (or a new one first),
    /// assistant calls written as call blocks, tool results as user turns of response blocks.
    /// </summary>
    public static List<ChatMessage> Render(IEnumerable<ChatMessage> messages, string? toolDescription)
    {
        var rendered = new List<ChatMessage>();
        foreach (var message in messages)
        {
            var results = message.Contents.OfType<FunctionResultContent>().ToList();
            if (message.Role == ChatRole.Tool || results.Count > 0)
            {
                var text = new StringBuilder();
                foreach (var result in results)
                {
                    text.Append(text.Length > 0 ? "\n" : "").Append("<tool_response>\n").Append(ResultText(result.Result)).Append("\n</tool_response>");
                }

                if (results.Count == 0)
                {
                    text.Append("<tool_response>\n").Append(message.Text).Append("\n</tool_response>");
                }

                // Consecutive results are one user turn, as the models trained this way expect.
                if (rendered is [.., { } last] && last.Role == ChatRole.User && last.AdditionalProperties?.ContainsKey(nameof(ToolPrompt)) == true)
                {
                    rendered[^1] = Marked(ChatRole.User, last.Text + "\n" + text);
                }
                else
                {
                    rendered.Add(Marked(ChatRole.User, text.ToString()));
                }

                continue;
            }

            var calls = message.Contents.OfType<FunctionCallContent>().ToList();
            if (calls.Count > 0)
            {
                var text = new StringBuilder(message.Text);
                foreach (var call in calls)
                {
                    text.Append(text.Length > 0 ? "\n" : "").Append(CallOpen)
                        .Append(CallHead(call.Name)).Append(JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), Compact)).Append('}')
                        .Append(CallClose);
                }

                rendered.Add(new ChatMessage(ChatRole.Assistant, text.ToString()));
                continue;
            }

            rendered.Add(message.Contents.All(c => c is TextContent) ? message : new ChatMessage(message.Role, message.Text));
        }

        if (toolDescription is not null)
        {
            if (rendered is [{ } first, ..] && first.Role == ChatRole.System)
            {
                rendered[0] = new ChatMessage(ChatRole.System, first.Text + "\n\n" + toolDescription);
            }
            else
            {
                rendered.Insert(0, new ChatMessage(ChatRole.System, toolDescription));
            }
        }

        return rendered;
    }

    private static ChatMessage Marked(ChatRole role, string text) =>
        new(role, text) { AdditionalProperties = new() { [nameof(ToolPrompt)] = true } };

    /// <summary>A tool result as the text a prompt shows.</summary>
    public static string ResultText(object? result) => result switch
    {
        null => "null",
        string s => s,
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions),
    };
}
