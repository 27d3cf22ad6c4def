using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Inference.Serving.Safety;

/// <summary>
/// A simple screen for the best-known prompt-injection phrasings in what users and tools send (not system prompts):
/// asking the model to ignore or forget its instructions, to reveal its system prompt, or to switch to an unrestricted
/// persona. It catches the obvious; a trained classifier registered as <see cref="IPromptScreen"/> does better.
/// </summary>
public sealed partial class HeuristicPromptScreen : IPromptScreen
{
    public ValueTask<string?> ScreenAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            var text = message.Text;
            if (Ignore().IsMatch(text))
            {
                return ValueTask.FromResult<string?>("it asks the model to disregard its instructions");
            }

            if (Reveal().IsMatch(text))
            {
                return ValueTask.FromResult<string?>("it asks the model to reveal its hidden instructions");
            }

            if (Persona().IsMatch(text))
            {
                return ValueTask.FromResult<string?>("it asks the model to drop its restrictions");
            }
        }

        return ValueTask.FromResult<string?>(null);
    }

    [GeneratedRegex(@"\b(ignore|disregard|forget|override)\b[\w\s,]{0,30}\b(previous|prior|above|earlier|all|your|system)\b[\w\s,]{0,20}\b(instructions?|prompts?|rules|directions|guidelines)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Ignore();

    [GeneratedRegex(@"\b(reveal|print|show|repeat|output|leak)\b[\w\s,]{0,30}\b(system prompt|hidden (instructions?|prompt)|initial (instructions?|prompt))", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Reveal();

    [GeneratedRegex(@"\b(you are now|act as|pretend to be)\b[\w\s,]{0,20}\b(DAN|jailbroken|unrestricted|unfiltered|without (any )?(restrictions|rules|filters))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Persona();
}
