using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Inference.Engines;
using Inference.Storage.Data;
using Inference.Serving.Catalog;
using Microsoft.EntityFrameworkCore;

namespace Inference.Lifecycle.Registry;

/// <summary>
/// Keeps the <c>models</c> and <c>model_versions</c> tables in step with what this gateway serves: each served model
/// is upserted with its provider and capabilities, and a new default version is recorded when its serving
/// configuration changed since the last start. Remembers each model's default version for the audit log.
/// </summary>
internal sealed class ModelRegistry(IDbContextFactory<MetadataDbContext> contexts, TimeProvider time) : IModelVersions
{
    private readonly ConcurrentDictionary<string, string> _defaults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _configured = new(StringComparer.Ordinal);

    /// <summary>The version the configuration serves under the bare name <paramref name="model"/>, once recorded.</summary>
    public string? ConfiguredVersion(string model) => _configured.GetValueOrDefault(model);

    /// <summary>The next free whole-number version of a model ("1", "2", ...), skipping numbers registered versions took.</summary>
    internal static string NextVersion(RegisteredModel row)
    {
        var next = row.Versions.Count + 1;
        while (row.Versions.Any(v => v.Version == next.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            next++;
        }

        return next.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

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

            var configuration = VersionConfiguration.Of(model, model.Provider, model.Fallbacks);
            row.Kind = configuration.Kind;
            row.Provider = model.Provider;
            row.ContextLength = model.ContextLength;
            row.ParameterCount = model.ParameterCount;
            row.Quantization = model.Quantization;
            row.ChatTemplate = model.ChatTemplate;
            row.EmbeddingLength = model.Dimensions;
            row.Fallbacks = JsonSerializer.Serialize([.. model.Fallbacks], LifecycleJsonContext.Default.ListString);
            row.Updated = now;

            var (json, hash) = configuration.Serialize();
            var active = row.Versions.FirstOrDefault(v => v.IsDefault);
            var current = row.Versions.Where(v => v.Origin == VersionOrigins.Configuration && v.ConfigurationHash == hash).MaxBy(v => v.Id);
            if (current is null || (active?.Origin != VersionOrigins.Registered && active != current))
            {
                // The configuration changed (or a former configuration is back): a new version. It becomes the active one
                // unless a registered version was activated, which keeps the traffic until it is deactivated.
                current = new ModelVersion
                {
                    ModelId = model.Id,
                    Version = NextVersion(row),
                    Created = now,
                    Configuration = json,
                    ConfigurationHash = hash,
                    Kind = configuration.Kind,
                    Provider = model.Provider,
                    Framework = model.Format ?? model.Provider,
                    ModelType = model.Kind == ModelKind.Chat ? "llm" : ModelKindNames.Of(model.Kind),
                };
                if (active?.Origin != VersionOrigins.Registered)
                {
                    foreach (var version in row.Versions)
                    {
                        version.IsDefault = false;
                    }

                    current.IsDefault = true;
                    current.Replaced = active?.Version;
                    current.ActivatedAt = now;
                    current.ActivatedBy = "configuration";
                    db.Lineage.Add(new LineageRecord { ModelId = model.Id, Version = current.Version, Replaced = active?.Version, At = now, By = "configuration", Reason = "configuration" });
                }

                row.Versions.Add(current);
            }

            _configured[model.Id] = current.Version;
            _defaults[model.Id] = current.Version;
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
