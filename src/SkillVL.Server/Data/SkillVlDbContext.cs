using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace SkillVL.Server.Data;

/// <summary>
/// The Server's database. Not sealed only for the two schema contexts (<c>Data/Schema</c>): EF Core keeps one migration set
/// per context type, and SQLite and PostgreSQL need a set each (ADR 0037); the Server itself always uses this type.
/// </summary>
public class SkillVlDbContext : DbContext
{
    public SkillVlDbContext(DbContextOptions<SkillVlDbContext> options)
        : base(options)
    {
    }

    /// <summary>For the schema contexts, whose options are of their own type.</summary>
    protected SkillVlDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<RoomEntity> Rooms => Set<RoomEntity>();

    public DbSet<NetworkEntity> Networks => Set<NetworkEntity>();

    public DbSet<MachineEntity> Machines => Set<MachineEntity>();

    public DbSet<NicEntity> Nics => Set<NicEntity>();

    public DbSet<TaskEntity> Tasks => Set<TaskEntity>();

    public DbSet<TaskLogEntity> TaskLog => Set<TaskLogEntity>();

    public DbSet<TemplateEntity> Templates => Set<TemplateEntity>();

    public DbSet<UserEntity> Users => Set<UserEntity>();

    public DbSet<ApiTokenEntity> ApiTokens => Set<ApiTokenEntity>();

    public DbSet<CourseEntity> Courses => Set<CourseEntity>();

    public DbSet<EnrolmentEntity> Enrolments => Set<EnrolmentEntity>();

    public DbSet<InviteEntity> Invites => Set<InviteEntity>();

    public DbSet<CourseVersionEntity> CourseVersions => Set<CourseVersionEntity>();

    public DbSet<AuditEntity> Audit => Set<AuditEntity>();

    public DbSet<NodeEntity> Nodes => Set<NodeEntity>();

    public DbSet<JoinTokenEntity> JoinTokens => Set<JoinTokenEntity>();

    public DbSet<MigrationEntity> Migrations => Set<MigrationEntity>();

    public DbSet<MigrationLogEntity> MigrationLog => Set<MigrationLogEntity>();

    public DbSet<FencedCopyEntity> FencedCopies => Set<FencedCopyEntity>();

    public DbSet<PlacementPolicyEntity> PlacementPolicies => Set<PlacementPolicyEntity>();

    public DbSet<CheckResultEntity> CheckResults => Set<CheckResultEntity>();

    public DbSet<SnapshotEntity> Snapshots => Set<SnapshotEntity>();

    public DbSet<PlacementDecisionEntity> PlacementDecisions => Set<PlacementDecisionEntity>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        if (Database.IsNpgsql())
        {
            // timestamptz, which operators and reports can read; Npgsql takes only UTC values (ADR 0049).
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcDateTimeOffsetConverter>();
        }
        else
        {
            // SQLite cannot order or compare DateTimeOffset; store it as a sortable 64-bit value (ADR 0034, 0049).
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RoomEntity>(e =>
        {
            e.HasKey(r => r.Id);
            e.HasIndex(r => new { r.OwnerId, r.Name }).IsUnique();
            e.HasIndex(r => r.CourseId);
            e.HasMany(r => r.Networks).WithOne().HasForeignKey(n => n.RoomId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(r => r.Machines).WithOne().HasForeignKey(m => m.RoomId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<NetworkEntity>(e =>
        {
            e.HasKey(n => n.Id);
            e.HasIndex(n => new { n.RoomId, n.Name }).IsUnique();
            e.HasIndex(n => n.Vni).IsUnique();
        });
        modelBuilder.Entity<MachineEntity>(e =>
        {
            e.HasKey(m => m.Id);
            e.HasIndex(m => new { m.RoomId, m.Name }).IsUnique();
            e.HasMany(m => m.Nics).WithOne().HasForeignKey(n => n.MachineId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<NicEntity>(e => e.HasKey(n => n.Id));
        modelBuilder.Entity<TaskEntity>(e =>
        {
            e.HasKey(t => t.Id);
            e.HasIndex(t => t.CreatedAt);
            e.HasMany(t => t.Log).WithOne().HasForeignKey(l => l.TaskId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<TaskLogEntity>(e => e.HasKey(l => l.Id));
        modelBuilder.Entity<TemplateEntity>(e => e.HasKey(t => t.Name));
        modelBuilder.Entity<UserEntity>(e =>
        {
            e.HasKey(u => u.Id);
            e.HasIndex(u => u.Username).IsUnique();
            e.HasIndex(u => new { u.ExternalIssuer, u.ExternalSubject }).IsUnique();
        });
        modelBuilder.Entity<ApiTokenEntity>(e =>
        {
            e.HasKey(t => t.Id);
            e.HasIndex(t => t.SecretHash).IsUnique();
            e.HasIndex(t => t.UserId);
        });
        modelBuilder.Entity<CourseEntity>(e =>
        {
            e.HasKey(c => c.Id);
            e.HasIndex(c => c.Name).IsUnique();
        });
        modelBuilder.Entity<EnrolmentEntity>(e =>
        {
            e.HasKey(x => new { x.CourseId, x.UserId });
            e.HasIndex(x => x.UserId);
        });
        modelBuilder.Entity<InviteEntity>(e => e.HasKey(i => i.CodeHash));
        modelBuilder.Entity<CourseVersionEntity>(e => e.HasKey(v => new { v.CourseId, v.Version }));
        modelBuilder.Entity<NodeEntity>(e =>
        {
            e.HasKey(n => n.Name);
            e.HasIndex(n => n.CredentialHash).IsUnique();
        });
        modelBuilder.Entity<JoinTokenEntity>(e => e.HasKey(t => t.TokenHash));
        modelBuilder.Entity<MigrationEntity>(e =>
        {
            e.HasKey(m => m.Id);
            e.HasIndex(m => m.CreatedAt);
            // One migration per machine at a time: of two requests that passed the checks together, the second insert fails.
            e.HasIndex(m => m.MachineId, "IX_Migrations_OneActivePerMachine").IsUnique().HasFilter("\"State\" IN ('pending', 'running')");
            e.HasMany(m => m.Log).WithOne().HasForeignKey(l => l.MigrationId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<FencedCopyEntity>(e =>
        {
            e.HasKey(f => f.Id);
            e.Property(f => f.Id).ValueGeneratedOnAdd();
            e.HasIndex(f => f.MachineId);
        });
        modelBuilder.Entity<PlacementPolicyEntity>(e =>
        {
            e.HasKey(p => p.Scope);
            e.HasIndex(p => p.ScopeId);
        });
        modelBuilder.Entity<PlacementDecisionEntity>(e =>
        {
            e.HasKey(d => d.Id);
            e.Property(d => d.Id).ValueGeneratedOnAdd();
            // The log is read newest first, and pruned from the oldest, by time.
            e.HasIndex(d => new { d.At, d.Id });
            // A new decision is compared with its machine's latest.
            e.HasIndex(d => new { d.MachineId, d.At, d.Id });
        });
        modelBuilder.Entity<MigrationLogEntity>(e =>
        {
            e.HasKey(l => l.Id);
            e.Property(l => l.Id).ValueGeneratedOnAdd();
        });
        modelBuilder.Entity<CheckResultEntity>(e =>
        {
            e.HasKey(c => new { c.RoomId, c.Name });
            e.Property(c => c.Detail).HasMaxLength(Core.Checks.CheckJudge.MaxDetailLength);
            e.HasOne<RoomEntity>().WithMany().HasForeignKey(c => c.RoomId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<SnapshotEntity>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Name).HasMaxLength(Core.Snapshots.SnapshotNames.MaxLength);
            e.HasIndex(x => new { x.MachineId, x.Name }).IsUnique();
            e.HasIndex(x => x.RoomId);
            e.HasOne<MachineEntity>().WithMany().HasForeignKey(x => x.MachineId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<AuditEntity>(e =>
        {
            e.ToTable("Audit");
            e.HasKey(a => a.Id);
            e.Property(a => a.Id).ValueGeneratedOnAdd();
            e.HasIndex(a => a.At);
        });
    }
}
