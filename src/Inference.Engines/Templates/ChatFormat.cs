using Inference.Engines.Structured;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Templates;

/// <summary>
/// How a model's conversations become its prompt and how its output reads back: the template that renders messages,
/// tools and per-request variables, the strings that end a turn, the syntax of its tool calls, and where its reasoning
/// is written. A model's own Jinja template (<see cref="JinjaChatFormat"/>) or, for models without one, a built-in
/// family (<see cref="BuiltInChatFormat"/>).
/// </summary>
public abstract class ChatFormat
{
    /// <summary>What the format is, as reported with the model: a built-in family's name, or where the template came from.</summary>
    public abstract string Name { get; }

    /// <summary>The Jinja text rendered, when the format is a template (Ollama's <c>/api/show</c> returns it).</summary>
    public virtual string? Template => null;

    /// <summary>Text that ends the assistant's turn when it appears, besides the model's end-of-generation tokens.</summary>
    public abstract IReadOnlyList<string> Stop { get; }

    /// <summary>How the model writes a tool call, as its template was trained on.</summary>
    public abstract ToolCallSyntax ToolCalls { get; }

    /// <summary>Where the model writes its reasoning, or null when it does not.</summary>
    public virtual ReasoningSyntax? Reasoning => null;

    /// <summary>
    /// The markup the output is read by (think tags, call tags, Harmony's channel tokens): an engine shows these special
    /// tokens' text in the output, where it hides other special tokens.
    /// </summary>
    public IReadOnlyList<string> Markup => [.. ToolCalls.Markup, .. Reasoning?.Markup ?? []];

    /// <summary>The template writes the tools into the prompt itself (else they are described in the system message).</summary>
    public virtual bool RendersTools => false;

    /// <summary>
    /// Renders the conversation, ending where the assistant's reply begins (unless the request turned the generation
    /// prompt off). A role the template cannot take, or an error the template raises, is an <see cref="InvalidPromptException"/>.
    /// </summary>
    public abstract RenderedPrompt Render(string model, IReadOnlyList<ChatMessage> messages, IReadOnlyList<AIFunctionDeclaration> tools, ChatOptions? options);
}

/// <summary>A rendered prompt.</summary>
/// <param name="Text">The prompt text.</param>
/// <param name="OpensReasoning">The prompt ends inside an opened reasoning block: the model's output begins as reasoning.</param>
public sealed record RenderedPrompt(string Text, bool OpensReasoning = false);
