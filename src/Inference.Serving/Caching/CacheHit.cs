using Microsoft.Extensions.AI;

namespace Inference.Serving.Caching;

/// <summary>
/// The mark the response cache puts on an answer it served, in the answer's additional properties, so the middleware
/// outside it (the audit log, the metrics) can tell a cached answer from a computed one.
/// </summary>
public static class CacheHit
{
    public const string PropertyName = "inference.cache_hit";

    public static AdditionalPropertiesDictionary Mark(AdditionalPropertiesDictionary? properties)
    {
        properties ??= [];
        properties[PropertyName] = true;
        return properties;
    }

    public static bool IsMarked(AdditionalPropertiesDictionary? properties) =>
        properties is not null && properties.TryGetValue(PropertyName, out var value) && value is true;
}
