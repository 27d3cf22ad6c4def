using System.Text.Json.Nodes;

namespace Inference.Engines.Tests.Templates;

/// <summary>
/// The conversations every chat template is rendered with: a system message, history, tools with a call and its result,
/// reasoning sent back, thinking off, a reasoning effort, content as parts, and the orders templates refuse.
/// </summary>
internal static class ChatTemplateScenarios
{
    public static IEnumerable<(string Name, JsonObject Context)> All()
    {
        var system = Message("system", "You are terse. Ünïcode ✓ \"quoted\"");
        var hello = Message("user", "Hello there");
        var hi = Message("assistant", "Hi! How can I help?");
        var weather = Message("user", "What's the weather in Paris?");
        var call = JsonNode.Parse("""
            {"role": "assistant", "content": "", "tool_calls": [{"id": "call_abc123456", "type": "function",
             "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "c"}}}]}
            """)!;
        var result = JsonNode.Parse("""{"role": "tool", "tool_call_id": "call_abc123456", "name": "get_weather", "content": "{\"temp\": 21.5}"}""")!;
        var reasoned = JsonNode.Parse("""
            {"role": "assistant", "content": "It is sunny.", "reasoning_content": "The tool said 21.5.", "thinking": "The tool said 21.5."}
            """)!;
        var parts = JsonNode.Parse("""{"role": "user", "content": [{"type": "text", "text": "Part one."}, {"type": "text", "text": "Part two."}]}""")!;

        yield return ("plain", Context([system, hello, hi, weather]));
        yield return ("no system", Context([hello]));
        yield return ("no generation prompt", Context([system, hello, hi], generationPrompt: false));
        yield return ("tool call and result", Context([system, weather, call, result], tools: true));
        yield return ("answered after a tool, reasoning in history", Context([weather, call, result, reasoned, hello], tools: true));
        yield return ("thinking off", With(Context([hello]), "enable_thinking", false));
        yield return ("reasoning effort high", With(Context([system, hello]), "reasoning_effort", "high"));
        yield return ("content as parts", Context([parts]));
        yield return ("two user turns in a row", Context([hello, weather]));
        yield return ("system message last", Context([hello, system]));
    }

    public static JsonArray Tools() => (JsonArray)JsonNode.Parse("""
        [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
          "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"},
                                                          "unit": {"type": "string", "enum": ["c", "f"]}},
                         "required": ["city"]}}},
         {"type": "function", "function": {"name": "add", "description": "Adds two numbers",
          "parameters": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "integer"}},
                         "required": ["a", "b"]}}}]
        """)!;

    private static JsonObject Message(string role, string content) => new() { ["role"] = role, ["content"] = content };

    private static JsonObject Context(JsonNode[] messages, bool generationPrompt = true, bool tools = false)
    {
        var context = new JsonObject
        {
            ["messages"] = new JsonArray([.. messages.Select(m => m.DeepClone())]),
            ["add_generation_prompt"] = generationPrompt,
        };
        if (tools)
        {
            context["tools"] = Tools();
        }

        return context;
    }

    private static JsonObject With(JsonObject context, string name, JsonNode value)
    {
        context[name] = value;
        return context;
    }
}
