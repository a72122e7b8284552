using System.Text.RegularExpressions;
using SkillVL.Server.Data.Schema;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Tests.Data;

/// <summary>Makes a version-9 database what version 5 created: every hand-written step since undone (newest first: its
/// columns dropped, its tables dropped), user_version 5. Derived from <see cref="SchemaUpgrade"/>'s steps, so no step is
/// missed.</summary>
internal static class SchemaDowngrade
{
    public static IReadOnlyList<string> To5()
    {
        var undo = new List<string>();
        for (var version = StartupService.SchemaVersion - 1; version >= 5; version--)
        {
            foreach (var statement in SchemaUpgrade.StepFrom(version).Reverse())
            {
                undo.Add(Undo(statement));
            }
        }

        undo.Add("PRAGMA user_version=5;");
        return undo;
    }

    private static string Undo(string statement)
    {
        var column = Regex.Match(statement, "^ALTER TABLE (\"\\w+\") ADD COLUMN (\"\\w+\")");
        if (column.Success)
        {
            return $"ALTER TABLE {column.Groups[1].Value} DROP COLUMN {column.Groups[2].Value};";
        }

        var created = Regex.Match(statement, "^CREATE (TABLE|INDEX) (\"\\w+\")");
        return created.Success
            ? $"DROP {created.Groups[1].Value} IF EXISTS {created.Groups[2].Value};"
            : throw new InvalidOperationException($"no undo for a schema step's statement: {statement}");
    }
}
