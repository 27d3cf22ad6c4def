using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Inference.Storage.Data;

/// <summary>The metadata in an embedded SQLite file, with its own migrations.</summary>
public sealed class SqliteMetadataDbContext(DbContextOptions<SqliteMetadataDbContext> options) : MetadataDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);

        // SQLite has no date type: stored as binary ticks with offset, timestamps still sort and compare in SQL.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
