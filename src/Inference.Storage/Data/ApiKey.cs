namespace Inference.Storage.Data;

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

    /// <summary>Inference requests a minute, across every replica (null: no limit).</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Prompt and completion tokens a minute: estimated when a request arrives, corrected when it ends.</summary>
    public int? TokensPerMinute { get; set; }

    /// <summary>Inference requests (streams included) running at once.</summary>
    public int? MaxConcurrentRequests { get; set; }

    /// <summary>The largest prompt (in estimated tokens) one request may send.</summary>
    public int? MaxPromptTokens { get; set; }

    /// <summary>Money the key may spend a <see cref="BudgetPeriod"/>, at the models' token prices.</summary>
    public decimal? Budget { get; set; }

    /// <summary>day or month (UTC).</summary>
    public string? BudgetPeriod { get; set; }

    /// <summary>The model a request goes to instead of being refused when the key's rate or token limit is reached.</summary>
    public string? OverflowModel { get; set; }
}
