using System.Text.Json.Serialization.Metadata;

namespace Inference.Serving;

/// <summary>
/// How the inference routes write their bodies: the OpenAI, Ollama and classification contracts each go through their
/// own source-generated JSON context (snake_case), which documentation reads to name their fields as they are sent.
/// </summary>
public static class WireFormats
{
    private static readonly System.Text.Json.Serialization.JsonSerializerContext[] Contexts =
    [
        OpenAI.OpenAIJsonContext.Default,
        Ollama.OllamaJsonContext.Default,
        Classification.ClassificationJsonContext.Default,
    ];

    /// <summary>The contract of <paramref name="type"/> as a route writes it, or null when it is not one of theirs.</summary>
    public static JsonTypeInfo? TypeInfo(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        foreach (var context in Contexts)
        {
            if (context.GetTypeInfo(type) is { } info)
            {
                return info;
            }
        }

        return null;
    }
}
