using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace SkillVL.Server.Data.Schema.Postgres;

/// <summary>
/// From here migrations, not <c>skillvl_schema</c>, say what the schema is (ADR 0037). The version is raised past 9 so
/// that a SkillVL from before migrations (ADR 0034), which accepts exactly 9, refuses a migrated database as newer. No
/// model change: written by hand.
/// </summary>
[DbContext(typeof(PostgresSchemaContext))]
[Migration("20261206223000_MigrationsTakeOver")]
public sealed class MigrationsTakeOver : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("UPDATE skillvl_schema SET version = 10;");

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("UPDATE skillvl_schema SET version = 9;");
}
