using System.Text.Json;
using Inference.Storage.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Inference.Protocols.Responses;

/// <summary>
/// Stored responses in the metadata database, each its tenant's: what <c>GET /v1/responses/{id}</c> reads back, and the
/// conversation a request with <c>previous_response_id</c> continues.
/// </summary>
internal sealed partial class ResponseStore(IDbContextFactory<MetadataDbContext> contexts, ILogger<ResponseStore> logger)
{
    /// <summary>Keeps a response; false (logged) when the database cannot take it, so that the answer says it was not stored.</summary>
    public async Task<bool> TrySaveAsync(ResponseObject response, string? tenant, IReadOnlyList<ResponseItem> input, IReadOnlyList<ResponseItem> conversation, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            db.Responses.Add(new StoredResponse
            {
                Id = response.Id,
                Tenant = tenant,
                Model = response.Model,
                Created = DateTimeOffset.FromUnixTimeSeconds(response.CreatedAt),
                Body = JsonSerializer.Serialize(response with { Store = true }, ResponsesJsonContext.Default.ResponseObject),
                Input = JsonSerializer.Serialize([.. input], ResponsesJsonContext.Default.ListResponseItem),
                Conversation = JsonSerializer.Serialize([.. conversation], ResponsesJsonContext.Default.ListResponseItem),
            });
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException or TimeoutException)
        {
            Log.NotStored(logger, ex, response.Id);
            return false;
        }
    }

    /// <param name="tenant">Whose responses the caller sees (null: everyone's); another tenant's response is not found.</param>
    public async Task<StoredResponse?> FindAsync(string id, string? tenant, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Responses.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id && (tenant == null || r.Tenant == tenant), cancellationToken);
    }

    public async Task<bool> DeleteAsync(string id, string? tenant, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Responses.Where(r => r.Id == id && (tenant == null || r.Tenant == tenant)).ExecuteDeleteAsync(cancellationToken) == 1;
    }

    public static List<ResponseItem> Items(string json) => JsonSerializer.Deserialize(json, ResponsesJsonContext.Default.ListResponseItem) ?? [];

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Response {ResponseId} was answered but could not be stored; it is answered with store false.")]
        public static partial void NotStored(ILogger logger, Exception exception, string responseId);
    }
}
