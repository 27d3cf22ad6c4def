using Microsoft.AspNetCore.Http;

namespace Inference.Metadata.Lifecycle;

/// <summary>A registry, deployment or experiment operation refused: the status and problem details to answer with.</summary>
public sealed class LifecycleException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public static LifecycleException BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "Invalid request", detail);

    public static LifecycleException NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found", detail);

    public static LifecycleException Conflict(string detail) => new(StatusCodes.Status409Conflict, "Conflict", detail);
}
