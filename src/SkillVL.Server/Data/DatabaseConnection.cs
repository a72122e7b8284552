using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace SkillVL.Server.Data;

/// <summary>Points the Server's database context at the provider <see cref="DatabaseOptions"/> chose.</summary>
public static class DatabaseConnection
{
    /// <summary>What configures a context for SQLite (the file in the data directory) or PostgreSQL; the connection string is
    /// made now, once, so a bad password file fails the start and is not read again for every context.</summary>
    /// <param name="sqliteFile">The SQLite database file (made 0600 by the caller); unused for PostgreSQL.</param>
    public static Action<DbContextOptionsBuilder> For(DatabaseOptions options, string sqliteFile)
    {
        if (options.IsPostgres)
        {
            var connectionString = PostgresConnectionString(options);
            return builder => builder.UseNpgsql(connectionString);
        }

        var sqlite = $"Data Source={sqliteFile}";
        return builder => builder.UseSqlite(sqlite);
    }

    /// <summary>The configured connection string with the password read from <see cref="DatabaseOptions.PasswordFile"/>,
    /// which must be readable by its owner only.</summary>
    public static string PostgresConnectionString(DatabaseOptions options)
    {
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        if (!string.IsNullOrEmpty(options.PasswordFile))
        {
            var path = options.PasswordFile;
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"SkillVL:Database:PasswordFile '{path}' does not exist.");
            }

            var groupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((File.GetUnixFileMode(path) & groupOrOther) != 0)
            {
                throw new InvalidOperationException(
                    $"SkillVL:Database:PasswordFile '{path}' is readable by others (mode {Convert.ToString((int)File.GetUnixFileMode(path), 8)}): make it 0600.");
            }

            builder.Password = File.ReadLines(path).FirstOrDefault()?.TrimEnd('\r') ?? "";
        }

        return builder.ConnectionString;
    }
}
