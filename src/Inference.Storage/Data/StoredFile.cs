namespace Inference.Storage.Data;

/// <summary>A file uploaded through <c>/v1/files</c> (a batch's input) or written by a batch (its output and errors).</summary>
public sealed class StoredFile
{
    public required string Id { get; set; }

    /// <summary>batch (uploaded), batch_output (written by a batch).</summary>
    public required string Purpose { get; set; }

    public required string FileName { get; set; }

    public long Bytes { get; set; }

    /// <summary>The tenant whose file it is (null when uploaded with authentication off): only it and admins see it.</summary>
    public string? Tenant { get; set; }

    public DateTimeOffset Created { get; set; }

    public required byte[] Content { get; set; }
}
