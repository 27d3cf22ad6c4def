using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Inference.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ModelRoutes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ConnectionName",
                table: "models",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConnectionString",
                table: "models",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ConnectionName",
                table: "models");

            migrationBuilder.DropColumn(
                name: "ConnectionString",
                table: "models");
        }
    }
}
