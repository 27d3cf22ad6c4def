using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Inference.Storage.Data;

// For `dotnet ef migrations add`: the tools build each context without a host (no database is contacted).

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresMetadataDbContext>
{
    public PostgresMetadataDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresMetadataDbContext>().UseNpgsql("Host=localhost;Database=metadata").Options);
}

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteMetadataDbContext>
{
    public SqliteMetadataDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteMetadataDbContext>().UseSqlite("Data Source=metadata.db").Options);
}
