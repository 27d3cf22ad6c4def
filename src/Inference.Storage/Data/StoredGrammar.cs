namespace Inference.Storage.Data;

/// <summary>A named GBNF grammar of the library.</summary>
public sealed class StoredGrammar
{
    public required string Name { get; set; }

    public string Description { get; set; } = "";

    /// <summary>The GBNF as uploaded (it parsed when it was stored).</summary>
    public required string Content { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
