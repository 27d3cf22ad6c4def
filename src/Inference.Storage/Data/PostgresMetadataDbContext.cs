using Microsoft.EntityFrameworkCore;

namespace Inference.Storage.Data;

/// <summary>The metadata on PostgreSQL (<c>ConnectionStrings:metadata</c>), with its own migrations.</summary>
public sealed class PostgresMetadataDbContext(DbContextOptions<PostgresMetadataDbContext> options) : MetadataDbContext(options);
