using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SkillVL.Server.Data.Schema;

/// <summary>PostgreSQL's counterpart of <see cref="SqliteDesignTimeContext"/>.</summary>
public sealed class PostgresDesignTimeContext : IDesignTimeDbContextFactory<PostgresSchemaContext>
{
    public PostgresSchemaContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresSchemaContext>().UseNpgsql("Host=design-time;Database=skillvl").UseOpenIddict().Options);
}
