using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace SkillVL.Server.Data;

/// <summary>
/// The schema on PostgreSQL: created from the model on an empty database, with the audit table append-only (a trigger
/// refuses UPDATE, DELETE and TRUNCATE, as SQLite's triggers do) and the schema version in a table of its own
/// (<c>skillvl_schema</c>: PostgreSQL has no <c>PRAGMA user_version</c>). An existing database must be of this build's
/// version: the in-place upgrade steps (<c>Hosting/SchemaUpgrade</c>) are SQLite's; PostgreSQL gets EF Core migrations
/// (issue 16's next slice) before its first schema change.
/// </summary>
public static class PostgresSchema
{
    /// <summary>The table holding the schema version, written last when the schema is made.</summary>
    public const string VersionTable = "skillvl_schema";

    private const string AppendOnlyAudit = """
        CREATE OR REPLACE FUNCTION skillvl_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit log is append-only';
        END
        $$;
        CREATE TRIGGER audit_no_update_or_delete BEFORE UPDATE OR DELETE ON "Audit" FOR EACH ROW EXECUTE FUNCTION skillvl_audit_append_only();
        CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "Audit" FOR EACH STATEMENT EXECUTE FUNCTION skillvl_audit_append_only();
        """;

    /// <summary>Makes the schema on a new database, or checks that an existing one is of <paramref name="schemaVersion"/>.</summary>
    /// <param name="where">The database as the messages name it (host and database, no password).</param>
    public static async Task PrepareAsync(SkillVlDbContext db, int schemaVersion, string where, CancellationToken cancellationToken)
    {
        if (await db.Database.EnsureCreatedAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync(AppendOnlyAudit, cancellationToken);
            await db.Database.ExecuteSqlRawAsync(string.Create(CultureInfo.InvariantCulture,
                $"CREATE TABLE {VersionTable} (version integer NOT NULL); INSERT INTO {VersionTable} (version) VALUES ({schemaVersion});"), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return;
        }

        var version = await ReadVersionAsync(db, cancellationToken) ?? throw new InvalidOperationException(
            $"The PostgreSQL database {where} has tables but no {VersionTable} table: it was not made by SkillVL, or its first "
            + "start stopped half-way. Give SkillVL an empty database of its own.");
        if (version != schemaVersion)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL database {where} has schema version {version}, this SkillVL needs {schemaVersion}. "
                + (version > schemaVersion ? "It was made by a newer SkillVL: run that one." : "Upgrading a PostgreSQL database in place is not supported yet."));
        }
    }

    /// <summary>The stored schema version, or null when there is no version table.</summary>
    private static async Task<int?> ReadVersionAsync(SkillVlDbContext db, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT to_regclass('{VersionTable}') IS NOT NULL";
        if (await command.ExecuteScalarAsync(cancellationToken) is not true)
        {
            return null;
        }

        command.CommandText = $"SELECT max(version) FROM {VersionTable}";
        return await command.ExecuteScalarAsync(cancellationToken) is int version ? version : null;
    }

    /// <summary>The database as messages and logs name it: host and database from the connection string, never its password.</summary>
    public static string Describe(DatabaseOptions options)
    {
        var parsed = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);
        return $"'{parsed.Database}' on {parsed.Host}";
    }
}
