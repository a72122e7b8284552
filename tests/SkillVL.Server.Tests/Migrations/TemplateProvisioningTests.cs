namespace SkillVL.Server.Tests.Migrations;

/// <summary>
/// A target that provisions the template before it prepares says so through the contract (ADR 0036): the engine takes the
/// base bytes from what any node's prepare reports, not from one node type's own call.
/// </summary>
public sealed class TemplateProvisioningTests
{
    [Fact]
    public async Task Run_TargetFetchedTemplate_BaseBytesFromItsPrepare()
    {
        await using var harness = new MigrationRunnerHarness();
        harness.Target.Driver.BaseBytesFetched = 123_456;
        var id = await harness.SeedAsync();

        var migration = await harness.RunAsync(id);

        Assert.True(migration.State == Core.Api.Migrations.MigrationStates.Succeeded, migration.Error);
        Assert.Equal(123_456, migration.BaseBytes);
        var log = string.Join("\n", migration.Log.Select(l => l.Message));
        Assert.Contains("it fetched the template first (123456 bytes).", log, StringComparison.Ordinal);
    }
}
