using System.Text.RegularExpressions;
using Inference.Engines.Grammars;
using Inference.Storage.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Inference.Lifecycle.Grammars;

/// <summary>
/// The grammar library: <c>POST /grammars</c>, <c>GET /grammars</c>, <c>GET/PUT/DELETE /grammars/{name}</c>, in
/// the metadata database. A grammar is parsed before it is stored: one that does not parse is a 400 whose problem
/// details carry the line and column. Requests name a stored grammar in their <c>grammar</c> field.
/// </summary>
public static partial class GrammarApi
{
    public const int MaxContentLength = 64 * 1024;

    public static RouteGroupBuilder MapGrammarApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/grammars").WithTags("Grammars");
        api.MapPost("/", CreateAsync).WithSummary("Stores a GBNF grammar under a name.").RequireAdminScope();
        api.MapGet("/", ListAsync).WithSummary("The stored grammars.");
        api.MapGet("/{name}", GetAsync).WithSummary("One stored grammar.");
        api.MapPut("/{name}", PutAsync).WithSummary("Stores or replaces a grammar.").RequireAdminScope();
        api.MapDelete("/{name}", DeleteAsync).WithSummary("Deletes a grammar.").RequireAdminScope();
        return api;
    }

    private static async Task<Results<Created<GrammarResponse>, ProblemHttpResult>> CreateAsync(
        GrammarRequest? request, IDbContextFactory<MetadataDbContext> contexts, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Validate(request?.Name, request) is { } invalid)
        {
            return invalid;
        }

        return await WriteAsync<Created<GrammarResponse>>(contexts, async db =>
        {
            if (await db.Grammars.AnyAsync(g => g.Name == request!.Name, cancellationToken))
            {
                return TypedResults.Problem($"A grammar named '{request!.Name}' exists; PUT /grammars/{request.Name} replaces it.", statusCode: StatusCodes.Status409Conflict, title: "Grammar exists");
            }

            var now = time.GetUtcNow();
            var grammar = new StoredGrammar { Name = request!.Name!, Description = request.Description ?? "", Content = request.Content!, CreatedAt = now, UpdatedAt = now };
            db.Grammars.Add(grammar);
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.Created($"/grammars/{grammar.Name}", GrammarResponse.From(grammar));
        });
    }

    private static async Task<Results<Ok<List<GrammarResponse>>, ProblemHttpResult>> ListAsync(
        IDbContextFactory<MetadataDbContext> contexts, CancellationToken cancellationToken) =>
        await WriteAsync<Ok<List<GrammarResponse>>>(contexts, async db =>
        {
            var grammars = await db.Grammars.AsNoTracking().ToListAsync(cancellationToken);
            return TypedResults.Ok(grammars.OrderBy(g => g.Name, StringComparer.Ordinal).Select(GrammarResponse.From).ToList());
        });

    private static async Task<Results<Ok<GrammarResponse>, ProblemHttpResult>> GetAsync(
        string name, IDbContextFactory<MetadataDbContext> contexts, CancellationToken cancellationToken) =>
        await WriteAsync<Ok<GrammarResponse>>(contexts, async db =>
            await db.Grammars.AsNoTracking().SingleOrDefaultAsync(g => g.Name == name, cancellationToken) is { } grammar
                ? TypedResults.Ok(GrammarResponse.From(grammar))
                : NotFound(name));

    private static async Task<Results<Ok<GrammarResponse>, Created<GrammarResponse>, ProblemHttpResult>> PutAsync(
        string name, GrammarRequest? request, IDbContextFactory<MetadataDbContext> contexts, TimeProvider time, CancellationToken cancellationToken)
    {
        if (request?.Name is { } bodyName && bodyName != name)
        {
            return TypedResults.Problem($"The body names '{bodyName}' but the route '{name}'.", statusCode: StatusCodes.Status400BadRequest, title: "Names differ");
        }

        if (Validate(name, request) is { } invalid)
        {
            return invalid;
        }

        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var now = time.GetUtcNow();
            var grammar = await db.Grammars.SingleOrDefaultAsync(g => g.Name == name, cancellationToken);
            if (grammar is null)
            {
                grammar = new StoredGrammar { Name = name, Description = request!.Description ?? "", Content = request.Content!, CreatedAt = now, UpdatedAt = now };
                db.Grammars.Add(grammar);
                await db.SaveChangesAsync(cancellationToken);
                return TypedResults.Created($"/grammars/{name}", GrammarResponse.From(grammar));
            }

            grammar.Content = request!.Content!;
            grammar.Description = request.Description ?? grammar.Description;
            grammar.UpdatedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.Ok(GrammarResponse.From(grammar));
        }
        catch (Exception ex) when (ControlPlaneProblems.IsUnavailable(ex))
        {
            return ControlPlaneProblems.Unavailable();
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string name, IDbContextFactory<MetadataDbContext> contexts, CancellationToken cancellationToken) =>
        await WriteAsync<NoContent>(contexts, async db =>
            await db.Grammars.Where(g => g.Name == name).ExecuteDeleteAsync(cancellationToken) > 0 ? TypedResults.NoContent() : NotFound(name));

    /// <summary>A name and content that parse; the problem names the field, and a syntax error's line and column.</summary>
    private static ProblemHttpResult? Validate(string? name, GrammarRequest? request)
    {
        if (request is null)
        {
            return Invalid("The body must be a JSON object with name, description and content.");
        }

        if (name is null || !GrammarName().IsMatch(name))
        {
            return Invalid("name must be 1 to 100 letters, digits, '-', '_' or '.'.", new() { ["field"] = "name" });
        }

        if (string.IsNullOrWhiteSpace(request.Content))
        {
            return Invalid("content must be a GBNF grammar.", new() { ["field"] = "content" });
        }

        if (request.Content.Length > MaxContentLength)
        {
            return Invalid($"content is longer than {MaxContentLength} characters.", new() { ["field"] = "content" });
        }

        try
        {
            _ = GbnfGrammar.Parse(request.Content);
            return null;
        }
        catch (GrammarSyntaxException ex)
        {
            return TypedResults.Problem(
                $"The grammar does not parse: {ex.Message}.",
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid grammar",
                extensions: new Dictionary<string, object?> { ["field"] = "content", ["line"] = ex.Line, ["column"] = ex.Column, ["reason"] = ex.Reason });
        }
    }

    private static ProblemHttpResult Invalid(string detail, Dictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid grammar request", extensions: extensions);

    private static ProblemHttpResult NotFound(string name) =>
        TypedResults.Problem($"No grammar is named '{name}'.", statusCode: StatusCodes.Status404NotFound, title: "Grammar not found");

    private static async Task<Results<T, ProblemHttpResult>> WriteAsync<T>(
        IDbContextFactory<MetadataDbContext> contexts, Func<MetadataDbContext, Task<Results<T, ProblemHttpResult>>> work)
        where T : IResult
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            return await work(db);
        }
        catch (Exception ex) when (ControlPlaneProblems.IsUnavailable(ex))
        {
            return ControlPlaneProblems.Unavailable();
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9_.-]{1,100}$")]
    private static partial Regex GrammarName();
}
