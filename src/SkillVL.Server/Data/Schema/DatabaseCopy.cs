using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace SkillVL.Server.Data.Schema;

/// <summary>
/// Copies every row of an embedded (SQLite) installation into an empty PostgreSQL database at the same migration
/// (<c>admin migrate-db</c>, ADR 0037): all tables of the model (the Server's and OpenIddict's) through EF Core, so each
/// value goes through the same conversions the Server uses, in one transaction with the row counts compared before it
/// commits. The audit log is copied like any table (inserts are what its trigger allows). Identity columns get their
/// sequences moved past the copied ids.
/// </summary>
public static class DatabaseCopy
{
    private static readonly MethodInfo CopyTable = typeof(DatabaseCopy).GetMethod(nameof(LoadAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>Copies <paramref name="source"/> into <paramref name="target"/>; returns the rows per table.</summary>
    /// <exception cref="InvalidOperationException">The target holds rows, or a count differs after the copy (nothing is committed).</exception>
    public static async Task<IReadOnlyDictionary<string, long>> CopyAsync(SkillVlDbContext source, SkillVlDbContext target, string where, CancellationToken cancellationToken)
    {
        var tables = target.Model.GetEntityTypes().Where(e => e.GetTableName() is not null && !e.IsOwned() && !e.HasSharedClrType).OrderBy(e => e.GetTableName(), StringComparer.Ordinal).ToList();
        foreach (var table in tables)
        {
            if (await CountAsync(target, table, cancellationToken) is > 0 and var rows)
            {
                throw new InvalidOperationException(
                    $"The PostgreSQL database {where} is not empty ({table.GetTableName()} has {rows} row(s)): migrate-db copies only into a new, empty database.");
            }
        }

        target.ChangeTracker.AutoDetectChangesEnabled = false;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var transaction = await target.Database.BeginTransactionAsync(cancellationToken);
        foreach (var table in tables)
        {
            var rows = await (Task<int>)CopyTable.MakeGenericMethod(table.ClrType).Invoke(null, [source, target, cancellationToken])!;
            counts[table.GetTableName()!] = rows;
        }

        await target.SaveChangesAsync(cancellationToken);
        foreach (var table in tables)
        {
            var copied = await CountAsync(target, table, cancellationToken);
            if (copied != counts[table.GetTableName()!])
            {
                throw new InvalidOperationException($"{table.GetTableName()}: {counts[table.GetTableName()!]} row(s) read, {copied} in PostgreSQL; nothing was committed.");
            }

            foreach (var identity in table.GetProperties().Where(p => p.ValueGenerated == ValueGenerated.OnAdd && (p.ClrType == typeof(long) || p.ClrType == typeof(int))))
            {
                var name = table.GetTableName();
                var column = identity.GetColumnName();
                // Table and column names from the model, not from input.
                var restart = $"SELECT setval(pg_get_serial_sequence('\"{name}\"', '{column}'), coalesce(max(\"{column}\"), 0) + 1, false) FROM \"{name}\"";
                await target.Database.ExecuteSqlRawAsync(restart, cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return counts;
    }

    private static async Task<int> LoadAsync<TEntity>(SkillVlDbContext source, SkillVlDbContext target, CancellationToken cancellationToken)
        where TEntity : class
    {
        // Tracked, so that shadow properties (OpenIddict's foreign keys) are read too; each row is added as a copy of its
        // values only: the navigations the source fixed up are not followed.
        var rows = await source.Set<TEntity>().ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            var from = source.Entry(row);
            var copy = target.Add((TEntity)from.CurrentValues.ToObject());

            // ToObject copied every property with a field; only the shadow ones (OpenIddict's foreign keys) are left. By
            // name: the two contexts' models are equal but not the same objects.
            foreach (var property in from.Metadata.GetProperties().Where(p => p.IsShadowProperty()))
            {
                copy.Property(property.Name).CurrentValue = from.Property(property.Name).CurrentValue;
            }
        }

        return rows.Count;
    }

    private static async Task<long> CountAsync(SkillVlDbContext db, IEntityType table, CancellationToken cancellationToken) =>
        Convert.ToInt64(await DatabaseSchema.ScalarAsync(db, $"SELECT count(*) FROM \"{table.GetTableName()}\"", cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
}
