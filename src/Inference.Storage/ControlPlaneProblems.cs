using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Inference.Storage;

/// <summary>The metadata routes' answers when an operation is refused or the database cannot be reached: problem details, a 503 the caller can retry, never a 500.</summary>
public static class ControlPlaneProblems
{
    /// <summary>True for the ways a database that is down or unreachable shows: its provider's errors, timeouts, EF's wrappers of them.</summary>
    public static bool IsUnavailable(Exception exception) => exception
        is DbException or TimeoutException or DbUpdateException
        or InvalidOperationException { InnerException: DbException or TimeoutException };

    public static ProblemHttpResult Unavailable() => TypedResults.Problem(
        "The metadata database is unavailable; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Metadata unavailable");

    /// <summary>Runs a route's operation: its refusals (<see cref="Lifecycle.ControlPlaneException"/>) become problem details, a database that cannot be reached a 503.</summary>
    public static async Task<Results<T, ProblemHttpResult>> RunAsync<T>(Func<Task<T>> operation)
        where T : IResult
    {
        try
        {
            return await operation();
        }
        catch (Lifecycle.ControlPlaneException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: ex.Status, title: ex.Title);
        }
        catch (Exception ex) when (ControlPlaneProblems.IsUnavailable(ex))
        {
            return ControlPlaneProblems.Unavailable();
        }
    }
}
