using System.Text.Json;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Tests;

public sealed class RoleMapperTests
{
    private static readonly RoleMapper Keycloak = new(
        ["realm_access.roles", "resource_access.skillvl-web.roles", "groups"],
        new Dictionary<string, string>
        {
            ["skillvl-admin"] = "admin",
            ["skillvl-teacher"] = "teacher",
            ["skillvl-student"] = "student",
            ["/skillvl/students"] = "student",
            ["web-teacher"] = "teacher",
            ["bogus"] = "wizard",
        });

    [Theory]
    [InlineData("""{"realm_access":{"roles":["offline_access","skillvl-teacher"]}}""", "teacher")]
    [InlineData("""{"resource_access":{"skillvl-web":{"roles":["web-teacher"]}}}""", "teacher")]
    [InlineData("""{"groups":["/skillvl/students"]}""", "student")]
    [InlineData("""{"groups":"/skillvl/students"}""", "student")]
    [InlineData("""{"realm_access":{"roles":["skillvl-student"]},"groups":["/x"],"resource_access":{"skillvl-web":{"roles":["skillvl-admin"]}}}""", "admin")]
    [InlineData("""{"realm_access":{"roles":["skillvl-student","skillvl-teacher"]}}""", "teacher")]
    [InlineData("""{"realm_access":{"roles":["bogus"]}}""", null)]
    [InlineData("""{"realm_access":{"roles":["SKILLVL-ADMIN"]}}""", null)]
    [InlineData("""{"resource_access":{"other-client":{"roles":["skillvl-admin"]}}}""", null)]
    [InlineData("""{"realm_access":"skillvl-admin-but-not-a-path"}""", null)]
    [InlineData("""{}""", null)]
    public void Map_HighestMappedRoleWins(string payload, string? expected)
    {
        using var json = JsonDocument.Parse(payload);

        Assert.Equal(expected, Keycloak.Map(json.RootElement).Role);
    }

    [Fact]
    public void Map_ReportsEveryValueSeen()
    {
        using var json = JsonDocument.Parse("""{"realm_access":{"roles":["a","b"]},"groups":["/g"],"other":["x"]}""");

        Assert.Equal(["a", "b", "/g"], Keycloak.Map(json.RootElement).Seen);
    }
}
