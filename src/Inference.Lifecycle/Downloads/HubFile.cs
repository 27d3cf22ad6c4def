namespace Inference.Lifecycle.Downloads;

/// <summary>One file to download: its path in the repository (and the model folder), where it comes from, and what it must be.</summary>
/// <param name="Sha256">The content's SHA-256 (a hub's LFS files, or a URL's given digest), lower-case hex.</param>
/// <param name="GitBlobSha1">A hub's small (non-LFS) file: the git blob id, the SHA-1 of "blob {size}\0" and the content.</param>
public sealed record HubFile(string Path, Uri Source, long? Size, string? Sha256, string? GitBlobSha1);
