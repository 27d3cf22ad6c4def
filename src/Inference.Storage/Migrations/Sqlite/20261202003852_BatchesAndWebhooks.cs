using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Inference.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class BatchesAndWebhooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Endpoint",
                table: "inference_jobs",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ErrorFileId",
                table: "inference_jobs",
                type: "TEXT",
                maxLength: 80,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Finalized",
                table: "inference_jobs",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "InputFileId",
                table: "inference_jobs",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Metadata",
                table: "inference_jobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OutputFileId",
                table: "inference_jobs",
                type: "TEXT",
                maxLength: 80,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "WebhookAttempts",
                table: "inference_jobs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "WebhookDelivered",
                table: "inference_jobs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "WebhookNextAttempt",
                table: "inference_jobs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "WebhookUrl",
                table: "inference_jobs",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Endpoint",
                table: "inference_job_items",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "files",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    Purpose = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    Created = table.Column<long>(type: "INTEGER", nullable: false),
                    Content = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_files", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_files_Created",
                table: "files",
                column: "Created");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "files");

            migrationBuilder.DropColumn(
                name: "Endpoint",
                table: "inference_jobs");

            migrationBuilder.DropColumn(
                name: "ErrorFileId",
                table: "inference_jobs");

            migrationBuilder.DropColumn(
                name: "Finalized",
                table: "inference_jobs");

            migrationBuilder.DropColumn(
                name: "InputFileId",
                table: "inference_jobs");

            migrationBuilder.DropColumn(
                name: "Metadata",
                table: "inference_jobs");

            migrationBuilder.DropColumn(
                name: "OutputFileId",
                table: "inference_jobs");

            migrationBuilder.DropColumn(
                name: "WebhookAttempts",
                table: "inference_jobs");

            migrationBuilder.DropColumn(
                name: "WebhookDelivered",
                table: "inference_jobs");

            migrationBuilder.DropColumn(
                name: "WebhookNextAttempt",
                table: "inference_jobs");

            migrationBuilder.DropColumn(
                name: "WebhookUrl",
                table: "inference_jobs");

            migrationBuilder.DropColumn(
                name: "Endpoint",
                table: "inference_job_items");
        }
    }
}
