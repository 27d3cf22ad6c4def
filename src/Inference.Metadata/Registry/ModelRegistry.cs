using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Inference.Engines;
using Inference.Metadata.Data;
using Inference.Serving.Catalog;
using Microsoft.EntityFrameworkCore;

namespace Inference.Metadata.Registry;

/// <summary>
/// Keeps the <c>models</c> and <c>model_versions</c> tables in step with what this gateway serves: each served model
/// is upserted with its provider and capabilities, and a new default version is recorded when its serving
/// configuration changed since the last start. Remembers each model's default version for the audit log.
/// </summary>
internal sealed class ModelRegistry(IDbContextFactory<MetadataDbContext> contexts, TimeProvider time) : IModelVersions
{
    private readonly ConcurrentDictionary<string, string> _defaults = new(StringComparer.Ordinal);

    public string? DefaultVersion(string model) => _defaults.GetValueOrDefault(model);

    string? IModelVersions.VersionOf(string model) => DefaultVersion(model);

    public async Task SynchronizeAsync(IEnumerable<ServedModel> served, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var models = served.ToList();
        var ids = models.Select(m => m.Id).ToList();
        var rows = await db.Models.Include(m => m.Versions).Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, StringComparer.Ordinal, cancellationToken);
        foreach (var model in models)
        {
            if (!rows.TryGetValue(model.Id, out var row))
            {
                row = new RegisteredModel { Id = model.Id, Kind = "", Provider = "", Created = now };
                db.Models.Add(row);
            }

            var configuration = Configuration(model);
            row.Kind = configuration.Kind;
            row.Provider = model.Provider;
            row.ContextLength = model.ContextLength;
            row.ParameterCount = model.ParameterCount;
            row.Quantization = model.Quantization;
            row.ChatTemplate = model.ChatTemplate;
            row.EmbeddingLength = model.Dimensions;
            row.Fallbacks = JsonSerializer.Serialize([.. model.Fallbacks], MetadataJsonContext.Default.ListString);
            row.Updated = now;

            var json = JsonSerializer.Serialize(configuration, MetadataJsonContext.Default.VersionConfiguration);
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
            var current = row.Versions.FirstOrDefault(v => v.IsDefault);
            if (current?.ConfigurationHash != hash)
            {
                foreach (var version in row.Versions)
                {
                    version.IsDefault = false;
                }

                current = new ModelVersion
                {
                    ModelId = model.Id,
                    Version = (row.Versions.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Created = now,
                    IsDefault = true,
                    Configuration = json,
                    ConfigurationHash = hash,
                };
                row.Versions.Add(current);
            }

            _defaults[model.Id] = current.Version;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private static VersionConfiguration Configuration(ServedModel model) => new(
        model.Provider,
        model.Kind == ModelKind.Chat ? "chat" : "embedding",
        model.Source,
        model.ContextLength,
        model.ParameterCount,
        model.Quantization,
        model.ChatTemplate,
        model.Dimensions,
        model.Fallbacks);
}
