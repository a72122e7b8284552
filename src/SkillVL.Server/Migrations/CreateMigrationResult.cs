using SkillVL.Core.Rooms;
using SkillVL.Server.Data;

namespace SkillVL.Server.Migrations;

/// <summary>What came of a migration request: the new migration, or why not (400 fields, 403 naming the field, 404, 409).</summary>
public sealed record CreateMigrationResult(
    MigrationEntity? Created = null,
    IReadOnlyList<ValidationError>? Errors = null,
    string? NotFound = null,
    string? Conflict = null,
    ValidationError? Forbidden = null);
