using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Inference.Storage.Migrations.Postgres
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
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ErrorFileId",
                table: "inference_jobs",
                type: "character varying(80)",
                maxLength: 80,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Finalized",
                table: "inference_jobs",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "InputFileId",
                table: "inference_jobs",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Metadata",
                table: "inference_jobs",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OutputFileId",
                table: "inference_jobs",
                type: "character varying(80)",
                maxLength: 80,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "WebhookAttempts",
                table: "inference_jobs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "WebhookDelivered",
                table: "inference_jobs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "WebhookNextAttempt",
                table: "inference_jobs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "WebhookUrl",
                table: "inference_jobs",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Endpoint",
                table: "inference_job_items",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "files",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    Purpose = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    FileName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Bytes = table.Column<long>(type: "bigint", nullable: false),
                    Created = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false)
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
