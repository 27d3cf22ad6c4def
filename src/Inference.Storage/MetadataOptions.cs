namespace Inference.Storage;

/// <summary>
/// Metadata settings (<c>Inference:Metadata</c>). PostgreSQL comes from <c>ConnectionStrings:metadata</c>; without
/// it the metadata lives in the SQLite file <see cref="SqlitePath"/>.
/// </summary>
public sealed class MetadataOptions
{
    public const string SectionName = "Inference:Metadata";

    public const string ConnectionName = "metadata";

    /// <summary>The embedded database file; defaults to InferenceAspire/metadata.db in the user's local application data.</summary>
    public string SqlitePath { get; set; } = Path.Combine(DataDirectory, "metadata.db");

    public AuditLogOptions Audit { get; set; } = new();

    internal static string DataDirectory { get; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create) is { Length: > 0 } local ? local : Path.GetTempPath(),
        "InferenceAspire");
}
