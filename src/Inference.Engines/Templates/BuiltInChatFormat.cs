using Inference.Engines.Structured;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Templates;

/// <summary>
/// A prefix/suffix family (a built-in one, or a folder's <c>prompt_template.json</c>) for models without a template of
/// their own: tools are described in the system message and earlier calls and results written as text in the generic
/// call syntax (<see cref="ToolPrompt"/>).
/// </summary>
public sealed class BuiltInChatFormat(ChatTemplate template) : ChatFormat
{
    public ChatTemplate Family => template;

    public override string Name => template.Name;

    public override IReadOnlyList<string> Stop => template.Stop;

    public override ToolCallSyntax ToolCalls => ToolCallSyntax.Hermes;

    public override RenderedPrompt Render(string model, IReadOnlyList<ChatMessage> messages, IReadOnlyList<AIFunctionDeclaration> tools, ChatOptions? options)
    {
        var text = ToolPrompt.Render(messages, tools.Count > 0 ? ToolPrompt.Describe(tools) : null);
        var turns = ChatPrompt.Turns(text);
        var prompt = template.RenderPrompt(model, turns);
        return new RenderedPrompt(ChatPrompt.Flag(options, EngineChatOptions.AddGenerationPrompt, true) ? prompt : template.Render(turns, addGenerationPrompt: false));
    }
}
