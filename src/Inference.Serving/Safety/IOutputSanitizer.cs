namespace Inference.Serving.Safety;

/// <summary>Rewrites a model's text before a caller sees it: register one to replace the built-in sanitiser.</summary>
public interface IOutputSanitizer
{
    /// <summary>The text to send for <paramref name="text"/> (a whole answer, or one streamed piece of it).</summary>
    string Sanitize(string text);
}
