namespace Inference.Serving.Safety;

/// <summary>Optional screening of prompts and sanitising of answers (<c>Inference:Safety</c>), off by default.</summary>
public sealed class SafetyOptions
{
    public const string SectionName = "Inference:Safety";

    /// <summary>Screens every chat request's messages with the registered <see cref="IPromptScreen"/> (the built-in heuristic unless another is registered); a flagged request is a 400 <c>prompt_rejected</c>.</summary>
    public bool PromptScreening { get; set; }

    /// <summary>Passes every answer's text (streamed pieces too) through the registered <see cref="IOutputSanitizer"/> (the built-in one strips control characters and terminal escape sequences unless another is registered).</summary>
    public bool OutputSanitization { get; set; }
}
