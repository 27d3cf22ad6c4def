using Inference.Storage.Data;
using Microsoft.EntityFrameworkCore;

namespace Inference.Storage;

/// <summary>Hands out the configured database's context as the provider-neutral <see cref="MetadataDbContext"/>.</summary>
internal sealed class MetadataDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<MetadataDbContext>
    where TContext : MetadataDbContext
{
    public MetadataDbContext CreateDbContext() => inner.CreateDbContext();
}
