using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace SkillVL.Server.Data.Schema.Sqlite;

/// <summary>
/// From here migrations, not <c>PRAGMA user_version</c>, say what the schema is (ADR 0037). user_version is raised past 9
/// so that a SkillVL from before migrations, which knows versions up to 9, refuses a migrated database as newer instead
/// of misreading it after a later migration. No model change: written by hand.
/// </summary>
[DbContext(typeof(SqliteSchemaContext))]
[Migration("20261206223000_MigrationsTakeOver")]
public sealed class MigrationsTakeOver : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("PRAGMA user_version=10;");

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("PRAGMA user_version=9;");
}
