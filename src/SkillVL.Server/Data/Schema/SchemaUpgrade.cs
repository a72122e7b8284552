using System.Data.Common;
using System.Globalization;

namespace SkillVL.Server.Data.Schema;

/// <summary>
/// Upgrades an older database in place, one version step at a time, each step in a transaction with its
/// <c>PRAGMA user_version</c> (SQLite runs both inside the transaction, so a failed step leaves the database as it was).
/// Only additive steps live here (ADD COLUMN with a default): the rows stay, and an older build refuses the upgraded
/// database by its version instead of misreading it. A version with no step from it (older than the first step, or
/// newer than this build) is not ours to guess at: the caller refuses it.
/// </summary>
public static class SchemaUpgrade
{
    /// <summary>The statements that take a database from version <c>key</c> to <c>key + 1</c>.</summary>
    private static readonly Dictionary<int, string[]> Steps = new()
    {
        // 5 -> 6 (issue 12): join tokens carry the node kind and owner; client nodes have an owner; a course may allow
        // client nodes. NULL / 0 keep what the older rows meant: any-kind admin tokens, admin's nodes, no client nodes.
        [5] =
        [
            "ALTER TABLE \"JoinTokens\" ADD COLUMN \"Kind\" TEXT NULL;",
            "ALTER TABLE \"JoinTokens\" ADD COLUMN \"OwnerId\" TEXT NULL;",
            "ALTER TABLE \"Nodes\" ADD COLUMN \"OwnerId\" TEXT NULL;",
            "ALTER TABLE \"Courses\" ADD COLUMN \"AllowClientNodes\" INTEGER NOT NULL DEFAULT 0;",
        ],

        // 6 -> 7 (issue 12, ADR 0023): a machine's check-out, and which migrations are check-outs and check-ins. NULL / 0:
        // not checked out, a plain move.
        [6] =
        [
            "ALTER TABLE \"Machines\" ADD COLUMN \"CheckoutNode\" TEXT NULL;",
            "ALTER TABLE \"Machines\" ADD COLUMN \"CheckoutRetainedOn\" TEXT NULL;",
            "ALTER TABLE \"Machines\" ADD COLUMN \"CheckoutSince\" INTEGER NULL;",
            "ALTER TABLE \"Machines\" ADD COLUMN \"CheckoutLastSyncAt\" INTEGER NULL;",
            "ALTER TABLE \"Machines\" ADD COLUMN \"CheckoutUnsyncedBytes\" INTEGER NULL;",
            "ALTER TABLE \"Machines\" ADD COLUMN \"CheckoutSyncedBytes\" INTEGER NOT NULL DEFAULT 0;",
            "ALTER TABLE \"Migrations\" ADD COLUMN \"Purpose\" TEXT NULL;",
        ],

        // 7 -> 8 (issue 12, ADR 0025): a check-out's epoch and lease, a course's lease, and the clients' copies fenced
        // after a revive. 0 / NULL: no epoch yet, no renewal answered, the platform's lease, nothing fenced.
        [7] =
        [
            "ALTER TABLE \"Machines\" ADD COLUMN \"CheckoutEpoch\" INTEGER NOT NULL DEFAULT 0;",
            "ALTER TABLE \"Machines\" ADD COLUMN \"CheckoutLeaseExpiresAt\" INTEGER NULL;",
            "ALTER TABLE \"Courses\" ADD COLUMN \"CheckoutLeaseSeconds\" INTEGER NULL;",
            "CREATE TABLE \"FencedCopies\" (\"Id\" INTEGER NOT NULL CONSTRAINT \"PK_FencedCopies\" PRIMARY KEY AUTOINCREMENT, \"MachineId\" TEXT NOT NULL, \"Node\" TEXT NOT NULL, \"Epoch\" INTEGER NOT NULL, \"RevivedAt\" INTEGER NOT NULL, \"RevivedBy\" TEXT NOT NULL, \"Lost\" INTEGER NOT NULL, \"FencedAt\" INTEGER NULL, \"Path\" TEXT NULL, \"SizeBytes\" INTEGER NULL, \"BytesSinceSync\" INTEGER NULL);",
            "CREATE INDEX \"IX_FencedCopies_MachineId\" ON \"FencedCopies\" (\"MachineId\");",
        ],

        // 8 -> 9 (issue 14, ADR 0030): placement policies per scope. No rows: every machine gets the Server's defaults.
        [8] =
        [
            "CREATE TABLE \"PlacementPolicies\" (\"Scope\" TEXT NOT NULL CONSTRAINT \"PK_PlacementPolicies\" PRIMARY KEY, \"ScopeKind\" TEXT NOT NULL, \"ScopeId\" TEXT NULL, \"Mode\" TEXT NULL, \"HysteresisEvaluations\" INTEGER NULL, \"MinStaySeconds\" INTEGER NULL, \"MaxMovesPerNode\" INTEGER NULL, \"MaxMovesPerLink\" INTEGER NULL, \"WindowsJson\" TEXT NULL, \"UpdatedAt\" INTEGER NOT NULL, \"UpdatedBy\" TEXT NOT NULL);",
            "CREATE INDEX \"IX_PlacementPolicies_ScopeId\" ON \"PlacementPolicies\" (\"ScopeId\");",
        ],
    };

    /// <summary>The statements of the step from <paramref name="from"/> to the next version (none when there is no such
    /// step); tests undo them to make an older database from a current one.</summary>
    public static IReadOnlyList<string> StepFrom(int from) => Steps.TryGetValue(from, out var step) ? step : [];

    /// <summary>Whether <paramref name="from"/> can be brought to <paramref name="to"/> by the steps here.</summary>
    public static bool CanUpgrade(int from, int to)
    {
        if (from >= to)
        {
            return false;
        }

        for (var version = from; version < to; version++)
        {
            if (!Steps.ContainsKey(version))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Runs every step from <paramref name="from"/> to <paramref name="to"/> on an open connection.</summary>
    /// <exception cref="InvalidOperationException">There is no way from <paramref name="from"/> to <paramref name="to"/>.</exception>
    public static async Task RunAsync(DbConnection connection, int from, int to, CancellationToken cancellationToken)
    {
        if (!CanUpgrade(from, to))
        {
            throw new InvalidOperationException($"No schema upgrade from version {from} to {to}.");
        }

        for (var version = from; version < to; version++)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            foreach (var statement in Steps[version].Append(string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version={version + 1};")))
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = statement;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
    }
}
