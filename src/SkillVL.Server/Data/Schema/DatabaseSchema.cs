using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;

namespace SkillVL.Server.Data.Schema;

/// <summary>
/// Brings a database to this build's schema with EF Core migrations (ADR 0037), one set per provider. A database made
/// before migrations (SQLite's <c>EnsureCreated</c> + <c>PRAGMA user_version</c>, PostgreSQL's <c>EnsureCreated</c> +
/// <c>skillvl_schema</c>) is recognised by that version: an older SQLite one is first taken to version 9 by the
/// hand-written <see cref="SchemaUpgrade"/> steps, then version 9 is recorded as the first migration (it is exactly that
/// schema) and the later migrations run. A database that has a migration this build does not know was made by a newer
/// SkillVL and is refused, naming both.
/// </summary>
public static class DatabaseSchema
{
    /// <summary>The last version numbered by hand (user_version / skillvl_schema): the schema the first migration makes.</summary>
    public const int LastLegacyVersion = 9;

    /// <summary>The legacy version number a migrated database carries, so that a SkillVL from before migrations (which
    /// knows only up to <see cref="LastLegacyVersion"/>) refuses it as "newer" instead of misreading it.</summary>
    public const int MigrationsVersionMarker = LastLegacyVersion + 1;

    /// <summary>The context SQLite's or PostgreSQL's migrations belong to, on the connection of <paramref name="db"/>.</summary>
    public static SkillVlDbContext SchemaContextFor(SkillVlDbContext db) =>
        db.Database.IsNpgsql() ? PostgresSchemaContext.On(db.Database.GetDbConnection()) : SqliteSchemaContext.On(db.Database.GetDbConnection());

    /// <summary>Migrates the database behind <paramref name="schema"/> (a <see cref="SqliteSchemaContext"/> or
    /// <see cref="PostgresSchemaContext"/>) to this build's last migration; returns the legacy version it was
    /// baselined from, or null when it already had migrations or was empty.</summary>
    /// <param name="where">The database as messages name it (a path, or host and database: never a password).</param>
    public static async Task<int?> MigrateAsync(SkillVlDbContext schema, string where, CancellationToken cancellationToken)
    {
        var postgres = schema.Database.IsNpgsql();
        var known = schema.Database.GetMigrations().ToList();
        var history = schema.GetService<IHistoryRepository>();
        int? baselined = null;
        // Asked directly: the history repository's own check answered "exists" for a PostgreSQL database without it.
        var hasHistory = postgres
            ? await ScalarAsync(schema, "SELECT to_regclass('\"__EFMigrationsHistory\"') IS NOT NULL", cancellationToken) is true
            : Convert.ToInt64(await ScalarAsync(schema, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsHistory'", cancellationToken), CultureInfo.InvariantCulture) > 0;
        if (hasHistory)
        {
            var applied = (await history.GetAppliedMigrationsAsync(cancellationToken)).Select(r => r.MigrationId).ToList();
            var unknown = applied.Except(known, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
            {
                throw new InvalidOperationException(
                    $"The database {where} is at migration {unknown[^1]}, made by a newer SkillVL; this SkillVL knows migrations up to "
                    + $"{known[^1]}. Run that newer SkillVL (a database is never migrated backwards).");
            }
        }
        else if (await LegacyVersionAsync(schema, postgres, where, cancellationToken) is { } version)
        {
            if (version != LastLegacyVersion)
            {
                if (postgres || !SchemaUpgrade.CanUpgrade(version, LastLegacyVersion))
                {
                    throw new InvalidOperationException(
                        $"The database {where} has schema version {version}, this SkillVL needs {LastLegacyVersion} or a migrated database. "
                        + (version > LastLegacyVersion
                            ? "It was made by a newer SkillVL: run that one."
                            : "There is no upgrade from that version: stop the VMs (./skillvl down; skillvl room stop …), move the data directory aside and start again."));
                }

                var connection = schema.Database.GetDbConnection();
                await schema.Database.OpenConnectionAsync(cancellationToken);
                await SchemaUpgrade.RunAsync(connection, version, LastLegacyVersion, cancellationToken);
            }

            await BaselineAsync(schema, history, known[0], cancellationToken);
            baselined = version;
        }

        if (baselined is null)
        {
            await schema.Database.MigrateAsync(cancellationToken);
            return null;
        }

        // A new context on the same connection: the history repository remembers that it found no history table.
        var same = schema.Database.GetDbConnection();
        await using var fresh = postgres ? (SkillVlDbContext)PostgresSchemaContext.On(same) : SqliteSchemaContext.On(same);
        await fresh.Database.MigrateAsync(cancellationToken);
        return baselined;
    }

    /// <summary>The hand-numbered version of a database made before migrations, or null for an empty database.</summary>
    private static async Task<int?> LegacyVersionAsync(SkillVlDbContext schema, bool postgres, string where, CancellationToken cancellationToken)
    {
        var tables = postgres
            ? "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_\\_EF%'"
            : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_\\_EF%' ESCAPE '\\'";
        if (Convert.ToInt64(await ScalarAsync(schema, tables, cancellationToken), CultureInfo.InvariantCulture) == 0)
        {
            return null;
        }

        if (!postgres)
        {
            return Convert.ToInt32(await ScalarAsync(schema, "PRAGMA user_version;", cancellationToken), CultureInfo.InvariantCulture);
        }

        if (await ScalarAsync(schema, $"SELECT to_regclass('{PostgresSchema.VersionTable}') IS NOT NULL", cancellationToken) is not true)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL database {where} has tables but neither migrations nor a {PostgresSchema.VersionTable} table: it was not made by "
                + "SkillVL. Give SkillVL an empty database of its own.");
        }

        return await ScalarAsync(schema, $"SELECT max(version) FROM {PostgresSchema.VersionTable}", cancellationToken) is int version ? version : 0;
    }

    /// <summary>Records <paramref name="first"/> (version 9, which the database already has) as applied, in one transaction.</summary>
    private static async Task BaselineAsync(SkillVlDbContext schema, IHistoryRepository history, string first, CancellationToken cancellationToken)
    {
        await using var transaction = await schema.Database.BeginTransactionAsync(cancellationToken);
        await schema.Database.ExecuteSqlRawAsync(history.GetCreateIfNotExistsScript(), cancellationToken);
        await schema.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(first, ProductInfo.GetVersion())), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>One value of <paramref name="sql"/>, inside the context's current transaction if it has one.</summary>
    internal static async Task<object?> ScalarAsync(SkillVlDbContext schema, string sql, CancellationToken cancellationToken)
    {
        DbConnection connection = schema.Database.GetDbConnection();
        await schema.Database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = schema.Database.CurrentTransaction?.GetDbTransaction();
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
