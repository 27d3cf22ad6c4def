using Microsoft.AspNetCore.Http;

namespace Inference.Lifecycle;

/// <summary>A registry, deployment or experiment operation refused: the status and problem details to answer with.</summary>
public sealed class ControlPlaneException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public static ControlPlaneException BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "Invalid request", detail);

    public static ControlPlaneException NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found", detail);

    public static ControlPlaneException Conflict(string detail) => new(StatusCodes.Status409Conflict, "Conflict", detail);
}
