using SkillVL.Server.Data;

namespace SkillVL.Server.Tests;

public sealed class DatabaseOptionsTests
{
    [Fact]
    public void Default_IsSqlite_AndValid()
    {
        var options = new DatabaseOptions();

        Assert.False(options.IsPostgres);
        Assert.Null(options.Invalid());
    }

    [Theory]
    [InlineData("mysql", "Host=/run/postgresql;Database=skillvl;Username=skillvl", "SkillVL:Database:Provider")]
    [InlineData("postgres", "", "SkillVL:Database:ConnectionString is empty")]
    [InlineData("postgres", "Host=/run/postgresql;Database=skillvl;Username=skillvl;Password=hunter2", "SkillVL:Database:PasswordFile")]
    [InlineData("postgres", "Host=/run/postgresql;Database=skillvl;Username=skillvl;Passfile=/root/.pgpass", "SkillVL:Database:PasswordFile")]
    [InlineData("postgres", "Host=/run/postgresql;Username=skillvl", "names no Database")]
    [InlineData("postgres", "Host=/run/postgresql;Nonsense=1", "not a valid connection string")]
    public void BadSettings_NameTheSetting_NeverEchoThePassword(string provider, string connection, string expected)
    {
        var problem = new DatabaseOptions { Provider = provider, ConnectionString = connection }.Invalid();

        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_WithoutPassword_IsValid_AndItsPasswordComesFromAnOwnerOnlyFile()
    {
        var directory = Directory.CreateTempSubdirectory("svl-dbopt-");
        try
        {
            var file = Path.Combine(directory.FullName, "password");
            File.WriteAllText(file, "s3cret\n");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var options = new DatabaseOptions { Provider = "postgres", ConnectionString = "Host=db;Database=skillvl;Username=skillvl", PasswordFile = file };

            Assert.Null(options.Invalid());
            Assert.Contains("Password=s3cret", DatabaseConnection.PostgresConnectionString(options), StringComparison.Ordinal);

            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
            var open = Assert.Throws<InvalidOperationException>(() => DatabaseConnection.PostgresConnectionString(options));
            Assert.Contains("readable by others", open.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", open.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
