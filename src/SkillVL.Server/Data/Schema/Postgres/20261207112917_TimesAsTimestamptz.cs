using System.Linq;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SkillVL.Server.Data.Schema.Postgres
{
    /// <summary>
    /// Every <see cref="System.DateTimeOffset"/> column becomes <c>timestamptz</c> (ADR 0049), keeping its values. Until
    /// this migration they held EF Core's <c>DateTimeOffsetToBinaryConverter</c> packing in a <c>bigint</c>: the clock
    /// ticks (100 ns since 0001-01-01, in the value's own offset) divided by 1000 in the high 53 bits, the offset in
    /// minutes as an 11-bit two's complement number in the low 11. The generated <c>AlterColumn</c>s cannot convert
    /// (PostgreSQL has no cast from bigint to timestamptz), so each table is rewritten once with a <c>USING</c> that
    /// decodes; NULL stays NULL. Down packs the instant back with offset zero, as the Server wrote it.
    /// </summary>
    public partial class TimesAsTimestamptz : Migration
    {
        /// <summary>The time columns by table, as the earlier migrations of this set made them (bigint).</summary>
        private static readonly (string Table, string[] Columns)[] TimeColumns =
        [
            ("ApiTokens", ["CreatedAt", "ExpiresAt", "LastUsedAt"]),
            ("Audit", ["At"]),
            ("CheckResults", ["RanAt"]),
            ("CourseVersions", ["PublishedAt"]),
            ("Courses", ["CreatedAt"]),
            ("Enrolments", ["EnrolledAt"]),
            ("FencedCopies", ["FencedAt", "RevivedAt"]),
            ("Invites", ["ExpiresAt"]),
            ("JoinTokens", ["ExpiresAt", "UsedAt"]),
            ("Machines", ["CheckoutLastSyncAt", "CheckoutLeaseExpiresAt", "CheckoutSince"]),
            ("MigrationLog", ["At"]),
            ("Migrations", ["CreatedAt", "FinishedAt", "StartedAt"]),
            ("Nodes", ["EnrolledAt", "LastSeenAt"]),
            ("PlacementDecisions", ["At"]),
            ("PlacementPolicies", ["UpdatedAt"]),
            ("Rooms", ["CreatedAt", "UpdatedAt"]),
            ("TaskLog", ["Timestamp"]),
            ("Tasks", ["CreatedAt", "FinishedAt"]),
            ("Templates", ["RegisteredAt"]),
            ("Users", ["CreatedAt", "DisabledAt"]),
        ];

        /// <summary>The instant a packed value <paramref name="c"/> stands for. UTC ticks = clock ticks − offset; the
        /// sign of the 11-bit offset is its bit 10. Microseconds since the Unix epoch are added as whole seconds plus
        /// the remaining microseconds: intervals of time only (no days), so the session's time zone and its daylight
        /// saving changes play no part, and each product is exact in the double that interval multiplication uses.</summary>
        internal static string Decode(string c)
        {
            var offsetMinutes = $"(({c} & 2047) - CASE WHEN ({c} & 1024) <> 0 THEN 2048 ELSE 0 END)";
            var unixMicroseconds = $"((({c} >> 11) * 1000 - {offsetMinutes} * 600000000 - 621355968000000000) / 10)";
            return $"timestamptz '1970-01-01 00:00:00+00' + ({unixMicroseconds} / 1000000) * interval '1 second'"
                + $" + ({unixMicroseconds} % 1000000) * interval '1 microsecond'";
        }

        /// <summary>The packing of the instant <paramref name="c"/> with offset zero: ticks / 1000, shifted by 11.</summary>
        internal static string Encode(string c) =>
            $"(((extract(epoch FROM {c}) * 1000000)::bigint * 10 + 621355968000000000) / 1000) << 11";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, columns) in TimeColumns)
            {
                // One ALTER TABLE per table: PostgreSQL rewrites the table (and rebuilds its indexes) once.
                var alters = columns.Select(c => $"ALTER COLUMN \"{c}\" TYPE timestamp with time zone USING {Decode($"\"{c}\"")}");
                migrationBuilder.Sql($"ALTER TABLE \"{table}\" {string.Join(", ", alters)};");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, columns) in TimeColumns)
            {
                var alters = columns.Select(c => $"ALTER COLUMN \"{c}\" TYPE bigint USING {Encode($"\"{c}\"")}");
                migrationBuilder.Sql($"ALTER TABLE \"{table}\" {string.Join(", ", alters)};");
            }
        }
    }
}
