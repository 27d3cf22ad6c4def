namespace Inference.Metadata.Data;

/// <summary>An API key: who it belongs to and what it may do. Only the SHA-256 of its secret is kept.</summary>
public sealed class ApiKey
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    /// <summary>The secret's first characters, to tell keys apart in a listing.</summary>
    public required string Prefix { get; set; }

    /// <summary>Hex SHA-256 of the secret.</summary>
    public required string Hash { get; set; }

    /// <summary>Space-separated: inference, admin, metrics.</summary>
    public required string Scopes { get; set; }

    /// <summary>Space-separated model names the key may call, or null for all.</summary>
    public string? Models { get; set; }

    public required string Tenant { get; set; }

    public DateTimeOffset Created { get; set; }

    public DateTimeOffset? Expires { get; set; }

    public DateTimeOffset? Revoked { get; set; }
}
