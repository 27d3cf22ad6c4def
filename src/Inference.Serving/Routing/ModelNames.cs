namespace Inference.Serving.Routing;

/// <summary>
/// A request's model field as the routes read it: left out, it is the route's default (where the route has one); sent
/// empty or blank, it names nothing and is refused with a 400 naming the field, never routed.
/// </summary>
public static class ModelNames
{
    /// <summary>True when the field was sent but names nothing ("" or white space).</summary>
    public static bool IsBlank(string? name) => name is not null && string.IsNullOrWhiteSpace(name);

    /// <summary>The error for a blank model field.</summary>
    public static string Blank(string field) => $"{field} is empty: name a model, or leave {field} out for the default one.";
}
