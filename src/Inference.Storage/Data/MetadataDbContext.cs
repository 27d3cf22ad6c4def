using Microsoft.EntityFrameworkCore;

namespace Inference.Storage.Data;

/// <summary>
/// The metadata model. Each database has its own subclass so that each keeps its own migrations:
/// <see cref="PostgresMetadataDbContext"/> when distributed, <see cref="SqliteMetadataDbContext"/> embedded.
/// </summary>
public abstract class MetadataDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<RegisteredModel> Models => Set<RegisteredModel>();

    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();

    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();

    public DbSet<OperationalEventRecord> OperationalEvents => Set<OperationalEventRecord>();

    public DbSet<StoredGrammar> Grammars => Set<StoredGrammar>();

    public DbSet<Deployment> Deployments => Set<Deployment>();

    public DbSet<AbTest> AbTests => Set<AbTest>();

    public DbSet<Feedback> Feedback => Set<Feedback>();

    public DbSet<LineageRecord> Lineage => Set<LineageRecord>();

    public DbSet<DownloadRecord> Downloads => Set<DownloadRecord>();

    public DbSet<InferenceJob> Jobs => Set<InferenceJob>();

    public DbSet<InferenceJobItem> JobItems => Set<InferenceJobItem>();

    public DbSet<StoredFile> Files => Set<StoredFile>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<StoredResponse> Responses => Set<StoredResponse>();

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
            version.Property(v => v.Version).HasMaxLength(50);
            version.Property(v => v.ConfigurationHash).HasMaxLength(64);
            version.HasIndex(v => new { v.ModelId, v.Version }).IsUnique();
            version.Property(v => v.Origin).HasMaxLength(20);
            version.Property(v => v.Description).HasMaxLength(1000);
            version.Property(v => v.ModelType).HasMaxLength(50);
            version.Property(v => v.Framework).HasMaxLength(50);
            version.Property(v => v.Path).HasMaxLength(1000);
            version.Property(v => v.Provider).HasMaxLength(20);
            version.Property(v => v.ConnectionName).HasMaxLength(200);
            version.Property(v => v.ConnectionString).HasMaxLength(2000);
            version.Property(v => v.InputPricePerMillion).HasPrecision(18, 6);
            version.Property(v => v.OutputPricePerMillion).HasPrecision(18, 6);
            version.Property(v => v.Kind).HasMaxLength(20);
            version.Property(v => v.RegisteredBy).HasMaxLength(200);
            version.Property(v => v.Replaced).HasMaxLength(50);
            version.Property(v => v.ActivatedBy).HasMaxLength(200);
        });

        modelBuilder.Entity<AuditRecord>(audit =>
        {
            audit.ToTable("audit_log");
            audit.HasKey(a => a.Id);
            audit.Property(a => a.RequestId).HasMaxLength(128);
            audit.Property(a => a.Model).HasMaxLength(200);
            audit.Property(a => a.Version).HasMaxLength(50);
            audit.Property(a => a.Provider).HasMaxLength(20);
            audit.Property(a => a.Operation).HasMaxLength(20);
            audit.Property(a => a.Status).HasMaxLength(20);
            audit.Property(a => a.Error).HasMaxLength(1000);
            audit.Property(a => a.Caller).HasMaxLength(200);
            audit.Property(a => a.KeyId).HasMaxLength(200);
            audit.Property(a => a.Tenant).HasMaxLength(200);
            audit.Property(a => a.Experiment).HasMaxLength(100);
            audit.Property(a => a.Arm).HasMaxLength(20);
            audit.Property(a => a.FallbackFrom).HasMaxLength(200);
            audit.HasIndex(a => new { a.Experiment, a.Timestamp });
            audit.HasIndex(a => new { a.Model, a.Timestamp });
            audit.HasIndex(a => a.Timestamp);
            audit.HasIndex(a => a.RequestId);
            audit.HasIndex(a => new { a.Tenant, a.Timestamp });
        });

        modelBuilder.Entity<OperationalEventRecord>(e =>
        {
            e.ToTable("operational_events");
            e.HasKey(x => x.Id);
            e.Property(x => x.Level).HasMaxLength(10);
            e.Property(x => x.Code).HasMaxLength(100);
            e.Property(x => x.Message).HasMaxLength(2000);
            e.Property(x => x.Service).HasMaxLength(200);
            e.Property(x => x.Model).HasMaxLength(200);
            e.HasIndex(x => x.Timestamp);
            e.HasIndex(x => new { x.Code, x.Timestamp });
            e.HasIndex(x => new { x.Model, x.Timestamp });
        });

        modelBuilder.Entity<Deployment>(deployment =>
        {
            deployment.ToTable("deployments");
            deployment.HasKey(d => d.Id);
            deployment.Property(d => d.Id).HasMaxLength(64);
            deployment.Property(d => d.ModelId).HasMaxLength(200);
            deployment.Property(d => d.Version).HasMaxLength(50);
            deployment.Property(d => d.PreviousVersion).HasMaxLength(50);
            deployment.Property(d => d.Strategy).HasMaxLength(20);
            deployment.Property(d => d.Status).HasMaxLength(20);
            deployment.Property(d => d.CreatedBy).HasMaxLength(200);
            deployment.Property(d => d.Reason).HasMaxLength(1000);
            deployment.HasIndex(d => new { d.ModelId, d.Created });
        });

        modelBuilder.Entity<AbTest>(test =>
        {
            test.ToTable("ab_tests");
            test.HasKey(t => t.Id);
            test.Property(t => t.Id).HasMaxLength(100);
            test.Property(t => t.ModelA).HasMaxLength(250);
            test.Property(t => t.ModelB).HasMaxLength(250);
            test.Property(t => t.Route).HasMaxLength(200);
            test.Property(t => t.Status).HasMaxLength(20);
            test.Property(t => t.CreatedBy).HasMaxLength(200);
        });

        modelBuilder.Entity<Feedback>(feedback =>
        {
            feedback.ToTable("feedback");
            feedback.HasKey(f => f.Id);
            feedback.Property(f => f.RequestId).HasMaxLength(128);
            feedback.Property(f => f.Comment).HasMaxLength(2000);
            feedback.Property(f => f.Caller).HasMaxLength(200);
            feedback.HasIndex(f => f.RequestId);
        });

        modelBuilder.Entity<LineageRecord>(lineage =>
        {
            lineage.ToTable("model_lineage");
            lineage.HasKey(l => l.Id);
            lineage.Property(l => l.ModelId).HasMaxLength(200);
            lineage.Property(l => l.Version).HasMaxLength(50);
            lineage.Property(l => l.Replaced).HasMaxLength(50);
            lineage.Property(l => l.By).HasMaxLength(200);
            lineage.Property(l => l.Reason).HasMaxLength(20);
            lineage.HasIndex(l => new { l.ModelId, l.At });
        });

        modelBuilder.Entity<InferenceJob>(job =>
        {
            job.ToTable("inference_jobs");
            job.HasKey(j => j.Id);
            job.Property(j => j.Id).HasMaxLength(64);
            job.Property(j => j.Status).HasMaxLength(20);
            job.Property(j => j.CreatedBy).HasMaxLength(200);
            job.Property(j => j.Tenant).HasMaxLength(200);
            job.Property(j => j.KeyId).HasMaxLength(200);
            job.Property(j => j.Endpoint).HasMaxLength(64);
            job.Property(j => j.InputFileId).HasMaxLength(64);
            job.Property(j => j.OutputFileId).HasMaxLength(80);
            job.Property(j => j.ErrorFileId).HasMaxLength(80);
            job.Property(j => j.WebhookUrl).HasMaxLength(2048);
            job.HasMany(j => j.Items).WithOne().HasForeignKey(i => i.JobId).OnDelete(DeleteBehavior.Cascade);
            job.HasIndex(j => j.Status);
        });

        modelBuilder.Entity<InferenceJobItem>(item =>
        {
            item.ToTable("inference_job_items");
            item.HasKey(i => new { i.JobId, i.Index });
            item.Property(i => i.JobId).HasMaxLength(64);
            item.Property(i => i.Status).HasMaxLength(20);
            item.Property(i => i.ClaimedBy).HasMaxLength(100);
            item.Property(i => i.Endpoint).HasMaxLength(64);
            item.HasIndex(i => new { i.Status, i.ClaimedUntil });
        });

        modelBuilder.Entity<ApiKey>(key =>
        {
            key.ToTable("api_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Id).HasMaxLength(64);
            key.Property(k => k.Name).HasMaxLength(200);
            key.Property(k => k.Prefix).HasMaxLength(16);
            key.Property(k => k.Hash).HasMaxLength(64);
            key.Property(k => k.Scopes).HasMaxLength(100);
            key.Property(k => k.Tenant).HasMaxLength(200);
            key.Property(k => k.BudgetPeriod).HasMaxLength(10);
            key.Property(k => k.OverflowModel).HasMaxLength(200);
            key.Property(k => k.Budget).HasPrecision(18, 6);
            key.HasIndex(k => k.Hash).IsUnique();
        });

        modelBuilder.Entity<StoredFile>(file =>
        {
            file.ToTable("files");
            file.HasKey(f => f.Id);
            file.Property(f => f.Id).HasMaxLength(80);
            file.Property(f => f.Purpose).HasMaxLength(20);
            file.Property(f => f.FileName).HasMaxLength(256);
            file.Property(f => f.Tenant).HasMaxLength(200);
            file.HasIndex(f => f.Created);
        });

        modelBuilder.Entity<StoredResponse>(response =>
        {
            response.ToTable("responses");
            response.HasKey(r => r.Id);
            response.Property(r => r.Id).HasMaxLength(80);
            response.Property(r => r.Tenant).HasMaxLength(200);
            response.Property(r => r.Model).HasMaxLength(250);
            response.HasIndex(r => r.Created);
        });

        modelBuilder.Entity<DownloadRecord>(download =>
        {
            download.ToTable("downloads");
            download.HasKey(d => d.Id);
            download.Property(d => d.Id).HasMaxLength(64);
            download.Property(d => d.Model).HasMaxLength(200);
            download.Property(d => d.Source).HasMaxLength(2000);
            download.Property(d => d.Revision).HasMaxLength(200);
            download.Property(d => d.Status).HasMaxLength(20);
            download.Property(d => d.Error).HasMaxLength(2000);
            download.Property(d => d.Version).HasMaxLength(50);
            download.HasIndex(d => d.Created);
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
