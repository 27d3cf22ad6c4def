using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Inference.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Lifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "Version",
                table: "model_versions",
                type: "character varying(50)",
                maxLength: 50,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(20)",
                oldMaxLength: 20);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ActivatedAt",
                table: "model_versions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ActivatedBy",
                table: "model_versions",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConnectionName",
                table: "model_versions",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConnectionString",
                table: "model_versions",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Description",
                table: "model_versions",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Framework",
                table: "model_versions",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "model_versions",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ModelType",
                table: "model_versions",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Origin",
                table: "model_versions",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Path",
                table: "model_versions",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PerformanceMetrics",
                table: "model_versions",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Provider",
                table: "model_versions",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RegisteredBy",
                table: "model_versions",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Replaced",
                table: "model_versions",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Tags",
                table: "model_versions",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AlterColumn<string>(
                name: "Version",
                table: "audit_log",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(20)",
                oldMaxLength: 20,
                oldNullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Arm",
                table: "audit_log",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Attempt",
                table: "audit_log",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Experiment",
                table: "audit_log",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FallbackFrom",
                table: "audit_log",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ab_tests",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    ModelA = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: false),
                    ModelB = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: false),
                    Route = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    TrafficSplit = table.Column<double>(type: "double precision", nullable: false),
                    SuccessMetrics = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Started = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Ends = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Stopped = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ab_tests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "deployments",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ModelId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Version = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    PreviousVersion = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    Strategy = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Percent = table.Column<double>(type: "double precision", nullable: false),
                    StepPercent = table.Column<double>(type: "double precision", nullable: false),
                    StepIntervalSeconds = table.Column<double>(type: "double precision", nullable: true),
                    MaxErrorRateIncrease = table.Column<double>(type: "double precision", nullable: false),
                    MaxLatencyRatio = table.Column<double>(type: "double precision", nullable: false),
                    MinimumRequests = table.Column<int>(type: "integer", nullable: false),
                    Created = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Updated = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastStep = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    History = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deployments", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "feedback",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RequestId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Score = table.Column<double>(type: "double precision", nullable: false),
                    Comment = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    Caller = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "model_lineage",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ModelId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Version = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    Replaced = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    By = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Reason = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_lineage", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_Experiment_Timestamp",
                table: "audit_log",
                columns: new[] { "Experiment", "Timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_Model_Timestamp",
                table: "audit_log",
                columns: new[] { "Model", "Timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_deployments_ModelId_Created",
                table: "deployments",
                columns: new[] { "ModelId", "Created" });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_RequestId",
                table: "feedback",
                column: "RequestId");

            migrationBuilder.CreateIndex(
                name: "IX_model_lineage_ModelId_At",
                table: "model_lineage",
                columns: new[] { "ModelId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ab_tests");

            migrationBuilder.DropTable(
                name: "deployments");

            migrationBuilder.DropTable(
                name: "feedback");

            migrationBuilder.DropTable(
                name: "model_lineage");

            migrationBuilder.DropIndex(
                name: "IX_audit_log_Experiment_Timestamp",
                table: "audit_log");

            migrationBuilder.DropIndex(
                name: "IX_audit_log_Model_Timestamp",
                table: "audit_log");

            migrationBuilder.DropColumn(
                name: "ActivatedAt",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "ActivatedBy",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "ConnectionName",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "ConnectionString",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "Description",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "Framework",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "ModelType",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "Origin",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "Path",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "PerformanceMetrics",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "Provider",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "RegisteredBy",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "Replaced",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "Tags",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "Arm",
                table: "audit_log");

            migrationBuilder.DropColumn(
                name: "Attempt",
                table: "audit_log");

            migrationBuilder.DropColumn(
                name: "Experiment",
                table: "audit_log");

            migrationBuilder.DropColumn(
                name: "FallbackFrom",
                table: "audit_log");

            migrationBuilder.AlterColumn<string>(
                name: "Version",
                table: "model_versions",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(50)",
                oldMaxLength: 50);

            migrationBuilder.AlterColumn<string>(
                name: "Version",
                table: "audit_log",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(50)",
                oldMaxLength: 50,
                oldNullable: true);
        }
    }
}
