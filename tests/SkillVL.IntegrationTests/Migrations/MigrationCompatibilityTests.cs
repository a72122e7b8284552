using Xunit;

namespace SkillVL.IntegrationTests.Migrations;

/// <summary>
/// Issue 12, Deliver 6, end to end: a real agent whose VMs get another CPU model than the embedded node's reports it, and
/// a live move of a running machine there is refused before anything starts (400 naming <c>to</c>, the reason in
/// words); the machine keeps running where it was.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class MigrationCompatibilityTests
{
    [Fact]
    public async Task LiveMove_ToANodeWithAnotherCpuModel_Is400NamingTo_MachineStays()
    {
        await using var server = await ServerHarness.StartAsync();
        await server.ApplyAsync(RefusedMove.Room("abi", "10.62.0"));

        var message = await RefusedMove.RefusalAsync(server, "abi", "abi1", "--cpu-model", "qemu64-v1");

        Assert.Contains("CPU model on 'local' is max and 'abi1' gives guests qemu64-v1", message, StringComparison.Ordinal);
    }
}
