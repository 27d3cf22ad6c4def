using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Inference.Metadata;

/// <summary>The metadata routes' answer when the database cannot be reached: a 503 the caller can retry, never a 500.</summary>
internal static class MetadataProblems
{
    /// <summary>True for the ways a database that is down or unreachable shows: its provider's errors, timeouts, EF's wrappers of them.</summary>
    public static bool IsUnavailable(Exception exception) => exception
        is DbException or TimeoutException or DbUpdateException
        or InvalidOperationException { InnerException: DbException or TimeoutException };

    public static ProblemHttpResult Unavailable() => TypedResults.Problem(
        "The metadata database is unavailable; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Metadata unavailable");
}
