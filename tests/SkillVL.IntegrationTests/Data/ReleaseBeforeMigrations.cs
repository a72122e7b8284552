using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SkillVL.Server.Data;

namespace SkillVL.IntegrationTests.Data;

/// <summary>
/// Makes a database's tables what the last release before EF Core migrations made (ADR 0037): the first migration is that
/// schema by construction, so the database is migrated to it (a newer database is migrated down to it) and EF's history is
/// removed. Not today's model's <c>EnsureCreated</c>: that has every table added since (a later migration would then meet
/// its own table, "relation \"CheckResults\" already exists").
/// </summary>
internal static class ReleaseBeforeMigrations
{
    public static async Task TablesAsync(SkillVlDbContext schema, CancellationToken cancellationToken)
    {
        await schema.GetService<IMigrator>().MigrateAsync(schema.Database.GetMigrations().First(), cancellationToken);
        await schema.Database.ExecuteSqlRawAsync("DROP TABLE \"__EFMigrationsHistory\";", cancellationToken);
        await schema.Database.ExecuteSqlRawAsync("DROP TABLE IF EXISTS \"__EFMigrationsLock\";", cancellationToken);
    }
}
