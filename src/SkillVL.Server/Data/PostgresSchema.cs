namespace SkillVL.Server.Data;

/// <summary>
/// What PostgreSQL databases made before migrations (ADR 0034) carry, and how messages name a PostgreSQL database. The
/// schema itself, the append-only audit trigger and the version bookkeeping are migrations now (<c>Data/Schema</c>,
/// ADR 0037).
/// </summary>
public static class PostgresSchema
{
    /// <summary>The table holding the hand-numbered schema version: written by the first migration (9, as the
    /// <c>EnsureCreated</c> path of ADR 0034 did) and raised past 9 by the second, so a SkillVL from before migrations
    /// refuses a migrated database as newer.</summary>
    public const string VersionTable = "skillvl_schema";

    /// <summary>The database as messages and logs name it: host and database from the connection string, never its password.</summary>
    public static string Describe(DatabaseOptions options)
    {
        var parsed = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);
        return $"'{parsed.Database}' on {parsed.Host}";
    }
}
