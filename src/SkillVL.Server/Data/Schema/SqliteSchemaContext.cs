using Microsoft.EntityFrameworkCore;

namespace SkillVL.Server.Data.Schema;

/// <summary>
/// The Server's model, as the type SQLite's migrations (<c>Data/Schema/Sqlite</c>) belong to: EF Core finds a context's
/// migrations by its type, and the two providers need different column types, so each has a context type and a set.
/// Used only to migrate; the Server reads and writes through <see cref="SkillVlDbContext"/>.
/// </summary>
public sealed class SqliteSchemaContext(DbContextOptions<SqliteSchemaContext> options) : SkillVlDbContext(options)
{
    /// <summary>A context on <paramref name="connection"/> (an open or closed SQLite connection the caller owns).</summary>
    public static SqliteSchemaContext On(System.Data.Common.DbConnection connection) =>
        new(new DbContextOptionsBuilder<SqliteSchemaContext>().UseSqlite(connection).UseOpenIddict().Options);
}
