using Npgsql;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Tests.Data;

/// <summary>ADR 0037: the <c>postgres://</c> URL of <c>admin migrate-db --to</c> becomes an Npgsql connection string; a
/// password in it is refused without being repeated.</summary>
public sealed class MigrateDbUrlTests
{
    [Theory]
    [InlineData("postgres://skillvl@db.example.org:5433/skillvl?sslmode=verify-full", "db.example.org", 5433, "skillvl", "skillvl")]
    [InlineData("postgresql://svl@/lab%2D1?host=%2Frun%2Fpostgresql", "/run/postgresql", 5432, "svl", "lab-1")]
    [InlineData("postgres://skillvl@/skillvl", "/run/postgresql", 5432, "skillvl", "skillvl")]
    public void Url_BecomesAConnectionString(string url, string host, int port, string user, string database)
    {
        var parsed = new NpgsqlConnectionStringBuilder(MigrateDbCommand.ConnectionString(url));

        Assert.Equal((host, port, user, database), (parsed.Host, parsed.Port, parsed.Username, parsed.Database));
        Assert.Null(parsed.Password);
    }

    [Fact]
    public void Url_WithAPassword_IsRefused_WithoutRepeatingIt()
    {
        var refused = Assert.Throws<ArgumentException>(() => MigrateDbCommand.ConnectionString("postgres://skillvl:hunter2@db/skillvl"));

        Assert.Contains("--password-file", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mysql://skillvl@db/skillvl")]
    [InlineData("postgres://skillvl@db")]
    [InlineData("postgres://skillvl@db/skillvl?options=-c%20x")]
    public void BadUrl_IsRefused(string url) => Assert.Throws<ArgumentException>(() => MigrateDbCommand.ConnectionString(url));
}
