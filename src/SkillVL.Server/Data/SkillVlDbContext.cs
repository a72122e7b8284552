using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace SkillVL.Server.Data;

public sealed class SkillVlDbContext(DbContextOptions<SkillVlDbContext> options) : DbContext(options)
{
    public DbSet<RoomEntity> Rooms => Set<RoomEntity>();

    public DbSet<NetworkEntity> Networks => Set<NetworkEntity>();

    public DbSet<MachineEntity> Machines => Set<MachineEntity>();

    public DbSet<NicEntity> Nics => Set<NicEntity>();

    public DbSet<TaskEntity> Tasks => Set<TaskEntity>();

    public DbSet<TaskLogEntity> TaskLog => Set<TaskLogEntity>();

    public DbSet<TemplateEntity> Templates => Set<TemplateEntity>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset; store it as a sortable 64-bit value.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RoomEntity>(e =>
        {
            e.HasKey(r => r.Id);
            e.HasIndex(r => r.Name).IsUnique();
            e.HasMany(r => r.Networks).WithOne().HasForeignKey(n => n.RoomId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(r => r.Machines).WithOne().HasForeignKey(m => m.RoomId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<NetworkEntity>(e =>
        {
            e.HasKey(n => n.Id);
            e.HasIndex(n => new { n.RoomId, n.Name }).IsUnique();
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
    }
}
