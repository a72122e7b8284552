using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>
/// With <c>SKILLVL_TEST_DATABASE=postgres</c> every <see cref="ServerHarness"/> of this test process runs on PostgreSQL:
/// one private cluster (<see cref="PostgresCluster"/>) started on first use and a new database per harness. The
/// cluster is stopped and removed by <see cref="Fixture"/> after the last test of <see cref="VmCollection"/> (xunit
/// awaits it; a process-exit handler would be cut short by the test host). test.sh runs a representative group this
/// way (issue 16).
/// </summary>
internal static class SharedPostgres
{
    public const string Variable = "SKILLVL_TEST_DATABASE";

    private static readonly Lock Gate = new();
    private static Task<PostgresCluster>? _cluster;

    public static bool Enabled => string.Equals(Environment.GetEnvironmentVariable(Variable), "postgres", StringComparison.Ordinal);

    public static async Task<string> CreateDatabaseAsync()
    {
        Task<PostgresCluster> cluster;
        lock (Gate)
        {
            cluster = _cluster ??= PostgresCluster.StartAsync();
        }

        return await (await cluster).CreateDatabaseAsync();
    }

    /// <summary>Stops and removes the cluster if one was started.</summary>
    public static async Task StopAsync()
    {
        Task<PostgresCluster>? cluster;
        lock (Gate)
        {
            (cluster, _cluster) = (_cluster, null);
        }

        if (cluster is not null)
        {
            await (await cluster).DisposeAsync();
        }
    }

    /// <summary>The collection fixture of <see cref="VmCollection"/>: its end is the cluster's.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public Task InitializeAsync() => Task.CompletedTask;

        public Task DisposeAsync() => StopAsync();
    }
}
