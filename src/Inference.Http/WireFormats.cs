using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Inference.Http;

/// <summary>
/// How the API surfaces write their bodies: each protocol's contracts go through its own source-generated JSON context
/// (snake_case), which it adds here when it is added to a host, so that documentation names their fields as they are sent.
/// </summary>
public static class WireFormats
{
    private static readonly ConcurrentDictionary<JsonSerializerContext, bool> Contexts = new([new(ErrorJsonContext.Default, true)]);

    /// <summary>Adds a protocol's JSON context (once).</summary>
    public static void Add(JsonSerializerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Contexts.TryAdd(context, true);
    }

    /// <summary>The contract of <paramref name="type"/> as a route writes it, or null when it is not one of theirs.</summary>
    public static JsonTypeInfo? TypeInfo(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        foreach (var context in Contexts.Keys)
        {
            if (context.GetTypeInfo(type) is { } info)
            {
                return info;
            }
        }

        return null;
    }
}
