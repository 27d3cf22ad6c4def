using Inference.Storage.Data;
using Inference.Serving.Grammars;
using Microsoft.EntityFrameworkCore;

namespace Inference.Lifecycle.Grammars;

/// <summary>The grammar library in the metadata database, for requests that name a grammar.</summary>
internal sealed class GrammarLibrary(IDbContextFactory<MetadataDbContext> contexts) : IGrammarLibrary
{
    public async Task<string?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Grammars.AsNoTracking().Where(g => g.Name == name).Select(g => g.Content).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }
}
