using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Courses;
using SkillVL.Core.Api.Identity;
using SkillVL.IntegrationTests.Auth;
using SkillVL.Server.Data.Schema;
using SkillVL.Server.Hosting;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>
/// Issue 12 (and 16: then recorded as the first EF Core migration): a Server started on a version-5 database (as an older release left it) upgrades it in place and keeps
/// its users, courses and tokens, instead of refusing to start.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class SchemaUpgradeStartTests
{
    [Fact]
    public async Task Issue12_ServerStart_OnVersion5Database_UpgradesInPlace_KeepingRows()
    {
        await using var server = await ServerHarness.StartAsync();
        using (var teacher = await Users.AddAndLoginAsync(server, "theo", PlatformRoles.Teacher))
        {
            await Users.ReadAsync<CourseInfo>(await teacher.Client.PostAsJsonAsync(ApiPaths.Courses, new CreateCourseRequest("net101", "Networks"), ServerHarness.Json), HttpStatusCode.Created);
        }

        var database = Path.Combine(server.DataDirectory, "skillvl.db");
        await server.RestartAsync(() => Downgrade(database));

        Assert.Equal(SkillVL.Server.Data.Schema.DatabaseSchema.MigrationsVersionMarker, UserVersion(database));
        var course = await Users.ReadAsync<CourseInfo>(await server.Client.GetAsync(ApiPaths.Course("net101")), HttpStatusCode.OK);
        Assert.Equal(("Networks", "theo", false), (course.Title, course.Teacher, course.AllowClientNodes));
        // The admin's API token (a row of the old database) still authenticates, and the new columns take writes.
        var allowed = await Users.ReadAsync<CourseInfo>(
            await server.Client.PatchAsJsonAsync(ApiPaths.Course("net101"), new UpdateCourseRequest(AllowClientNodes: true), ServerHarness.Json), HttpStatusCode.OK);
        Assert.True(allowed.AllowClientNodes);
    }

    /// <summary>Makes the stopped Server's database what version 5 created: every step since undone (newest first: its
    /// columns dropped, its tables dropped), user_version 5. Derived from <see cref="SchemaUpgrade"/>'s steps, so a new
    /// step is undone too (a hand-written list missed version 7's and 8's columns, and the upgrade then met them).</summary>
    private static void Downgrade(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using (var schema = SkillVL.Server.Data.Schema.SqliteSchemaContext.On(connection))
        {
            // Back to the first migration (the schema of version 9, the last release before migrations) and no history.
            Data.ReleaseBeforeMigrations.TablesAsync(schema, CancellationToken.None).GetAwaiter().GetResult();
        }

        var undo = new List<string>();
        for (var version = StartupService.SchemaVersion - 1; version >= 5; version--)
        {
            foreach (var statement in SchemaUpgrade.StepFrom(version).Reverse())
            {
                undo.Add(Undo(statement));
            }
        }

        undo.Add("PRAGMA user_version=5;");
        foreach (var statement in undo)
        {
            using var command = new SqliteCommand(statement, connection);
            command.ExecuteNonQuery();
        }
    }

    private static string Undo(string statement)
    {
        var column = Regex.Match(statement, "^ALTER TABLE (\"\\w+\") ADD COLUMN (\"\\w+\")");
        if (column.Success)
        {
            return $"ALTER TABLE {column.Groups[1].Value} DROP COLUMN {column.Groups[2].Value};";
        }

        var created = Regex.Match(statement, "^CREATE (TABLE|INDEX) (\"\\w+\")");
        Assert.True(created.Success, $"no undo for a schema step's statement: {statement}");
        return $"DROP {created.Groups[1].Value} IF EXISTS {created.Groups[2].Value};";
    }

    private static long UserVersion(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = new SqliteCommand("PRAGMA user_version;", connection);
        return (long)command.ExecuteScalar()!;
    }
}
