using System.Globalization;

namespace SkillVL.TestUtilities;

/// <summary>
/// A real PostgreSQL of Debian's packages, private to a test: <c>initdb</c> into a temporary directory (owned by the
/// <c>postgres</c> user, which PostgreSQL requires), listening only on a unix socket in that directory (no TCP port,
/// nothing reachable from outside), trust authentication on that socket. Its databases belong to a non-superuser role
/// <c>skillvl</c>, as an installation's would. Disposing stops the postmaster (pg_ctl, by its data directory) and
/// removes the directory. The system's own cluster is not touched.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(2);
    private readonly string _bin;
    private int _databases;

    private PostgresCluster(string directory, string bin)
    {
        Directory = directory;
        _bin = bin;
    }

    /// <summary>The cluster's directory; its socket lives here.</summary>
    public string Directory { get; }

    private string DataDirectory => Path.Combine(Directory, "data");

    /// <summary>Initialises and starts a cluster; fails (never skips) when PostgreSQL is not installed.</summary>
    public static async Task<PostgresCluster> StartAsync()
    {
        HostTools.RequireRoot();
        var bin = System.IO.Directory.Exists("/usr/lib/postgresql")
            ? System.IO.Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL is missing: apt-get install -y postgresql");
        }

        // Short: a unix socket's path must fit in 107 bytes.
        var directory = System.IO.Directory.CreateTempSubdirectory("svl-pg-").FullName;
        var cluster = new PostgresCluster(directory, bin);
        try
        {
            await cluster.RunAsync("chown", ["postgres:postgres", directory]);
            await cluster.RunAsync("chmod", ["0700", directory]);
            await cluster.AsPostgresAsync("initdb", ["-D", cluster.DataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
            await cluster.AsPostgresAsync("pg_ctl", ["-D", cluster.DataDirectory, "-w", "-t", "60", "-l", Path.Combine(directory, "log"),
                "-o", $"-k {directory} -c listen_addresses='' -c fsync=off -c synchronous_commit=off", "start"]);
            await cluster.SqlAsync("postgres", "CREATE ROLE skillvl LOGIN");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new empty database owned by <c>skillvl</c>, and the connection string to reach it as that role.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"skillvl_test{Interlocked.Increment(ref _databases)}");
        await SqlAsync("postgres", $"CREATE DATABASE {name} OWNER skillvl");
        return ConnectionString(name, "skillvl");
    }

    /// <summary>The connection string to <paramref name="database"/> as <paramref name="role"/> over the cluster's socket.</summary>
    public string ConnectionString(string database, string role) => $"Host={Directory};Database={database};Username={role};Pooling=false";

    /// <summary>Runs SQL with psql as <paramref name="role"/>; returns (exit code, output with errors) — it does not throw on SQL errors.</summary>
    public async Task<(int ExitCode, string Output)> PsqlAsync(string database, string role, string sql)
    {
        var (code, stdout, stderr) = await HostTools.RunAsync(
            "runuser", ["-u", "postgres", "--", Path.Combine(_bin, "psql"), "-h", Directory, "-U", role, "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
            ToolTimeout);
        return (code, stdout + stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            await HostTools.RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-w", "-t", "30", "-m", "immediate", "stop"], ToolTimeout);
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private async Task SqlAsync(string database, string sql)
    {
        var (code, output) = await PsqlAsync(database, "postgres", sql);
        if (code != 0)
        {
            throw new InvalidOperationException($"psql '{sql}' failed ({code}): {output}");
        }
    }

    private Task AsPostgresAsync(string tool, IEnumerable<string> arguments) =>
        RunAsync("runuser", new[] { "-u", "postgres", "--", Path.Combine(_bin, tool) }.Concat(arguments));

    private async Task RunAsync(string tool, IEnumerable<string> arguments)
    {
        var (code, stdout, stderr) = await HostTools.RunAsync(tool, arguments, ToolTimeout);
        if (code != 0)
        {
            throw new InvalidOperationException($"{tool} failed ({code}): {stdout}{stderr}");
        }
    }
}
