using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SkillVL.Server.Data;
using SkillVL.Server.Data.Schema;

namespace SkillVL.Server.Hosting;

/// <summary>
/// <c>admin migrate-db --to postgres://USER@HOST[:PORT]/DATABASE [--password-file FILE] [--data-directory DIR]</c>
/// (<c>./skillvl admin migrate-db …</c>; ADR 0037): moves an embedded installation's data from its SQLite file into an
/// empty PostgreSQL database, both at this build's last migration. Refused while a Server uses the data directory (its
/// lock). The password is never part of the URL or the arguments: a file readable by its owner only (ADR 0034's rules),
/// or typed at a prompt on a terminal; peer authentication over a unix socket needs none
/// (<c>postgres://skillvl@/skillvl?host=/run/postgresql</c>).
/// </summary>
public static partial class MigrateDbCommand
{
    public const string Usage =
        "usage: admin migrate-db --to postgres://USER@HOST[:PORT]/DATABASE[?host=SOCKETDIR&sslmode=MODE] [--password-file FILE] [--data-directory DIR]";

    /// <summary>Runs the command; 0 when copied, 2 for bad arguments, 1 for anything refused or failed (the message says why).</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, Func<string?>? prompt, CancellationToken cancellationToken)
    {
        string? to = null, passwordFile = null, dataDirectory = "/var/lib/skillvl";
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--to" when value is not null: to = value; i++; break;
                case "--password-file" when value is not null: passwordFile = value; i++; break;
                case "--data-directory" when value is not null: dataDirectory = value; i++; break;
                default:
                    await error.WriteLineAsync($"migrate-db: unexpected argument '{args[i]}'\n{Usage}");
                    return 2;
            }
        }

        if (to is null)
        {
            await error.WriteLineAsync($"migrate-db: --to is required\n{Usage}");
            return 2;
        }

        try
        {
            var options = new DatabaseOptions { Provider = DatabaseOptions.PostgresProvider, ConnectionString = ConnectionString(to), PasswordFile = passwordFile ?? "" };
            if (options.Invalid() is { } invalid)
            {
                throw new InvalidOperationException(invalid);
            }

            var sqlite = Path.Combine(dataDirectory, DataDirectoryPermissions.DatabaseFileName);
            using var held = DataDirectoryLock.Acquire(dataDirectory, "migrate-db is refused");
            if (!File.Exists(sqlite))
            {
                throw new InvalidOperationException($"There is no embedded database {sqlite} (--data-directory names the Server's data directory).");
            }

            var target = new NpgsqlConnectionStringBuilder(DatabaseConnection.PostgresConnectionString(options));
            if (passwordFile is null && prompt is not null)
            {
                target.Password = prompt() is { Length: > 0 } typed ? typed : null;
            }

            var where = PostgresSchema.Describe(options);
            await using var sqliteConnection = new SqliteConnection($"Data Source={sqlite};Pooling=False");
            await using var source = SqliteSchemaContext.On(sqliteConnection);
            await DatabaseSchema.MigrateAsync(source, sqlite, cancellationToken);
            await using var postgresConnection = new NpgsqlConnection(target.ConnectionString);
            await using var destination = PostgresSchemaContext.On(postgresConnection);
            await DatabaseSchema.MigrateAsync(destination, where, cancellationToken);
            var counts = await DatabaseCopy.CopyAsync(source, destination, where, cancellationToken);

            foreach (var (table, rows) in counts)
            {
                await output.WriteLineAsync($"{table,-28} {rows,8} row(s)");
            }

            await output.WriteLineAsync(
                $"Copied {counts.Values.Sum()} row(s) of {sqlite} into {where} (row counts checked; {sqlite} keeps its data, brought to this build's schema first if it was older). "
                + "Start the Server with SkillVL:Database:Provider=postgres and that database's connection string.");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or NpgsqlException or SqliteException or ArgumentException or IOException
            or UnauthorizedAccessException or DbUpdateException)
        {
            // A failed insert says why in its inner exception (the constraint, the column); the outer one only says that it failed.
            await error.WriteLineAsync($"migrate-db: {(e is DbUpdateException { InnerException: { } inner } ? inner.Message : e.Message)}");
            return 1;
        }
    }

    /// <summary>Asks for the password on the terminal without echoing it; null when stdin is not a terminal.</summary>
    public static string? PromptOnTerminal()
    {
        if (Console.IsInputRedirected)
        {
            return null;
        }

        Console.Error.Write("PostgreSQL password (empty for none): ");
        var typed = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace && typed.Length > 0)
            {
                typed.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return typed.ToString();
    }

    /// <summary>An Npgsql connection string from a <c>postgres://</c> URL; a password in the URL is refused (not echoed).</summary>
    internal static string ConnectionString(string url)
    {
        var match = PostgresUrl().Match(url);
        if (!match.Success)
        {
            throw new ArgumentException("--to must be a URL postgres://USER@HOST[:PORT]/DATABASE (or postgres://USER@/DATABASE?host=SOCKETDIR)");
        }

        if (match.Groups["password"].Success)
        {
            throw new ArgumentException("--to holds a password: leave it out of the URL (it would be in the process list and the shell history); "
                + "use --password-file FILE (readable by you only) or type it at the prompt");
        }

        var builder = new NpgsqlConnectionStringBuilder { Database = Uri.UnescapeDataString(match.Groups["database"].Value) };
        if (match.Groups["user"].Success)
        {
            builder.Username = Uri.UnescapeDataString(match.Groups["user"].Value);
        }

        builder.Host = match.Groups["host"].Value is { Length: > 0 } host ? host : "/run/postgresql";
        if (match.Groups["port"].Success)
        {
            builder.Port = int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var pair in match.Groups["query"].Value.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = pair.Split('=', 2) is [var k, var v] ? (k, Uri.UnescapeDataString(v)) : (pair, "");
            switch (key)
            {
                case "host": builder.Host = value; break;
                case "sslmode": builder.SslMode = Enum.Parse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true); break;
                default: throw new ArgumentException($"--to: unknown parameter '{key}' (known: host, sslmode)");
            }
        }

        return builder.ConnectionString;
    }

    [GeneratedRegex("^postgres(?:ql)?://(?:(?<user>[^:@/]+)(?::(?<password>[^@/]*))?@)?(?<host>[^/:?]*)(?::(?<port>[0-9]+))?/(?<database>[^/?]+)(?:\\?(?<query>.*))?$")]
    private static partial Regex PostgresUrl();
}
