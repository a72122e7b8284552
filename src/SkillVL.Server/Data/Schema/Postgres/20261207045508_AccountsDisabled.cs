using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SkillVL.Server.Data.Schema.Postgres
{
    /// <inheritdoc />
    public partial class AccountsDisabled : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "DisabledAt",
                table: "Users",
                type: "bigint",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DisabledAt",
                table: "Users");
        }
    }
}
