using Microsoft.EntityFrameworkCore;

namespace SkillVL.Server.Data.Schema;

/// <summary>The Server's model as the type PostgreSQL's migrations (<c>Data/Schema/Postgres</c>) belong to; see
/// <see cref="SqliteSchemaContext"/>.</summary>
public sealed class PostgresSchemaContext(DbContextOptions<PostgresSchemaContext> options) : SkillVlDbContext(options)
{
    /// <summary>A context on <paramref name="connection"/> (an Npgsql connection the caller owns).</summary>
    public static PostgresSchemaContext On(System.Data.Common.DbConnection connection) =>
        new(new DbContextOptionsBuilder<PostgresSchemaContext>().UseNpgsql(connection).UseOpenIddict().Options);
}
