using Microsoft.EntityFrameworkCore;

namespace Inference.Metadata.Data;

/// <summary>
/// The metadata model. Each database has its own subclass so that each keeps its own migrations:
/// <see cref="PostgresMetadataDbContext"/> when distributed, <see cref="SqliteMetadataDbContext"/> embedded.
/// </summary>
public abstract class MetadataDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<RegisteredModel> Models => Set<RegisteredModel>();

    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();

    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();

    public DbSet<StoredGrammar> Grammars => Set<StoredGrammar>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RegisteredModel>(model =>
        {
            model.ToTable("models");
            model.HasKey(m => m.Id);
            model.Property(m => m.Id).HasMaxLength(200);
            model.Property(m => m.Kind).HasMaxLength(20);
            model.Property(m => m.Provider).HasMaxLength(20);
            model.Property(m => m.Quantization).HasMaxLength(20);
            model.Property(m => m.ChatTemplate).HasMaxLength(50);
            model.Property(m => m.ConnectionName).HasMaxLength(200);
            model.HasMany(m => m.Versions).WithOne().HasForeignKey(v => v.ModelId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ModelVersion>(version =>
        {
            version.ToTable("model_versions");
            version.HasKey(v => v.Id);
            version.Property(v => v.Version).HasMaxLength(20);
            version.Property(v => v.ConfigurationHash).HasMaxLength(64);
            version.HasIndex(v => new { v.ModelId, v.Version }).IsUnique();
        });

        modelBuilder.Entity<AuditRecord>(audit =>
        {
            audit.ToTable("audit_log");
            audit.HasKey(a => a.Id);
            audit.Property(a => a.RequestId).HasMaxLength(128);
            audit.Property(a => a.Model).HasMaxLength(200);
            audit.Property(a => a.Version).HasMaxLength(20);
            audit.Property(a => a.Provider).HasMaxLength(20);
            audit.Property(a => a.Operation).HasMaxLength(20);
            audit.Property(a => a.Status).HasMaxLength(20);
            audit.Property(a => a.Error).HasMaxLength(1000);
            audit.Property(a => a.Caller).HasMaxLength(200);
            audit.Property(a => a.Experiment).HasMaxLength(100);
            audit.Property(a => a.Arm).HasMaxLength(20);
            audit.Property(a => a.FallbackFrom).HasMaxLength(200);
            audit.HasIndex(a => new { a.Experiment, a.Timestamp });
            audit.HasIndex(a => new { a.Model, a.Timestamp });
            audit.HasIndex(a => a.Timestamp);
            audit.HasIndex(a => a.RequestId);
        });

        modelBuilder.Entity<StoredGrammar>(grammar =>
        {
            grammar.ToTable("grammars");
            grammar.HasKey(g => g.Name);
            grammar.Property(g => g.Name).HasMaxLength(100);
            grammar.Property(g => g.Description).HasMaxLength(1000);
        });
    }
}
