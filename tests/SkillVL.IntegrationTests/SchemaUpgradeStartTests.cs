using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Courses;
using SkillVL.Core.Api.Identity;
using SkillVL.IntegrationTests.Auth;
using SkillVL.Server.Hosting;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>
/// Issue 12: a Server started on a version-5 database (as the previous release left it) upgrades it in place and keeps
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

        Assert.Equal(StartupService.SchemaVersion, UserVersion(database));
        var course = await Users.ReadAsync<CourseInfo>(await server.Client.GetAsync(ApiPaths.Course("net101")), HttpStatusCode.OK);
        Assert.Equal(("Networks", "theo", false), (course.Title, course.Teacher, course.AllowClientNodes));
        // The admin's API token (a row of the old database) still authenticates, and the new columns take writes.
        var allowed = await Users.ReadAsync<CourseInfo>(
            await server.Client.PatchAsJsonAsync(ApiPaths.Course("net101"), new UpdateCourseRequest(AllowClientNodes: true), ServerHarness.Json), HttpStatusCode.OK);
        Assert.True(allowed.AllowClientNodes);
    }

    /// <summary>Makes the stopped Server's database what version 5 created: without version 6's columns, user_version 5.</summary>
    private static void Downgrade(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        foreach (var statement in new[]
        {
            "ALTER TABLE \"JoinTokens\" DROP COLUMN \"Kind\";",
            "ALTER TABLE \"JoinTokens\" DROP COLUMN \"OwnerId\";",
            "ALTER TABLE \"Nodes\" DROP COLUMN \"OwnerId\";",
            "ALTER TABLE \"Courses\" DROP COLUMN \"AllowClientNodes\";",
            "PRAGMA user_version=5;",
        })
        {
            using var command = new SqliteCommand(statement, connection);
            command.ExecuteNonQuery();
        }
    }

    private static long UserVersion(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = new SqliteCommand("PRAGMA user_version;", connection);
        return (long)command.ExecuteScalar()!;
    }
}
