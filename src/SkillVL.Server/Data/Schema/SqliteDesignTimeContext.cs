using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SkillVL.Server.Data.Schema;

/// <summary>
/// What <c>dotnet ef migrations add</c> builds to compare the model with a migration set: no database is opened (the
/// connection strings are placeholders), so adding a migration needs neither a data directory nor a PostgreSQL.
/// </summary>
public sealed class SqliteDesignTimeContext : IDesignTimeDbContextFactory<SqliteSchemaContext>
{
    public SqliteSchemaContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteSchemaContext>().UseSqlite("Data Source=design-time.db").UseOpenIddict().Options);
}
