namespace Inference.LlamaCpp.Prompts;

/// <summary>Turns a conversation into the prompt text a model was trained on.</summary>
internal interface IPromptFormat
{
    /// <summary>The template's name as reported in the model's capabilities.</summary>
    string Name { get; }

    /// <summary>Text that ends the assistant's turn when it appears, besides the model's end-of-generation tokens.</summary>
    IReadOnlyList<string> Stop { get; }

    /// <summary>The prompt, ending where the assistant's reply begins; a role the template lacks is an <see cref="InvalidPromptException"/>.</summary>
    string Render(IReadOnlyList<(string Role, string Content)> turns);
}
