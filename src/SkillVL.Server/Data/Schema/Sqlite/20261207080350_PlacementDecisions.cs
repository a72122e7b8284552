using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SkillVL.Server.Data.Schema.Sqlite
{
    /// <inheritdoc />
    public partial class PlacementDecisions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PlacementDecisions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Machine = table.Column<string>(type: "TEXT", nullable: false),
                    MachineId = table.Column<string>(type: "TEXT", nullable: false),
                    From = table.Column<string>(type: "TEXT", nullable: false),
                    To = table.Column<string>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", nullable: false),
                    Code = table.Column<string>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", nullable: false),
                    MigrationId = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PlacementDecisions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PlacementDecisions_At_Id",
                table: "PlacementDecisions",
                columns: new[] { "At", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_PlacementDecisions_MachineId_At_Id",
                table: "PlacementDecisions",
                columns: new[] { "MachineId", "At", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PlacementDecisions");
        }
    }
}
