using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Inference.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SecurityQuotas : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "KeyId",
                table: "inference_jobs",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Tenant",
                table: "inference_jobs",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Tenant",
                table: "files",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "KeyId",
                table: "audit_log",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Tenant",
                table: "audit_log",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "Budget",
                table: "api_keys",
                type: "TEXT",
                precision: 18,
                scale: 6,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BudgetPeriod",
                table: "api_keys",
                type: "TEXT",
                maxLength: 10,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "MaxConcurrentRequests",
                table: "api_keys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "MaxPromptTokens",
                table: "api_keys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OverflowModel",
                table: "api_keys",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RequestsPerMinute",
                table: "api_keys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "TokensPerMinute",
                table: "api_keys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_Tenant_Timestamp",
                table: "audit_log",
                columns: new[] { "Tenant", "Timestamp" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_audit_log_Tenant_Timestamp",
                table: "audit_log");

            migrationBuilder.DropColumn(
                name: "KeyId",
                table: "inference_jobs");

            migrationBuilder.DropColumn(
                name: "Tenant",
                table: "inference_jobs");

            migrationBuilder.DropColumn(
                name: "Tenant",
                table: "files");

            migrationBuilder.DropColumn(
                name: "KeyId",
                table: "audit_log");

            migrationBuilder.DropColumn(
                name: "Tenant",
                table: "audit_log");

            migrationBuilder.DropColumn(
                name: "Budget",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "BudgetPeriod",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "MaxConcurrentRequests",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "MaxPromptTokens",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "OverflowModel",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "RequestsPerMinute",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "TokensPerMinute",
                table: "api_keys");
        }
    }
}
