using SkillVL.TestUtilities;

namespace SkillVL.IntegrationTests;

/// <summary>
/// With <c>SKILLVL_TEST_DATABASE=postgres</c> every <see cref="ServerHarness"/> of this test process runs on PostgreSQL:
/// one private cluster (<see cref="PostgresCluster"/>) started on first use, a new database per harness, and the whole
/// cluster stopped and removed when the process exits. test.sh runs a representative group this way (issue 16).
/// </summary>
internal static class SharedPostgres
{
    public const string Variable = "SKILLVL_TEST_DATABASE";

    private static readonly Lazy<Task<PostgresCluster>> Cluster = new(StartAsync);

    public static bool Enabled => string.Equals(Environment.GetEnvironmentVariable(Variable), "postgres", StringComparison.Ordinal);

    public static async Task<string> CreateDatabaseAsync() => await (await Cluster.Value).CreateDatabaseAsync();

    private static async Task<PostgresCluster> StartAsync()
    {
        var cluster = await PostgresCluster.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return cluster;
    }
}
