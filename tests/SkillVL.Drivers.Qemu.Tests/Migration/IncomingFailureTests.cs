using SkillVL.Drivers.Qemu.Migration;

namespace SkillVL.Drivers.Qemu.Tests.Migration;

public sealed class IncomingFailureTests
{
    /// <summary>What QEMU 7.2 wrote on this machine when a VM whose tap had a vnet header moved onto -netdev stream.</summary>
    private const string VnetHeaderLog = """
        qemu-system-x86_64: virtio-net: saved image requires vnet_hdr=on
        qemu-system-x86_64: Failed to load virtio-net-device:tmp
        qemu-system-x86_64: Failed to load virtio-net:virtio
        qemu-system-x86_64: error while loading state for instance 0x0 of device '0000:00:02.0/virtio-net'
        qemu-system-x86_64: load of migration failed: Invalid argument
        """;

    [Fact]
    public void Explain_VnetHeaderRefusal_SaysWhyAndThatARestartHelps()
    {
        var reason = IncomingFailure.Explain(VnetHeaderLog);

        Assert.StartsWith(": its NIC was started with a tap's virtio-net header", reason, StringComparison.Ordinal);
        Assert.Contains("restart the VM once", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_OtherFailure_QuotesQemusLastWords_Bounded()
    {
        var log = new string('x', 5000) + "\nqemu-system-x86_64: load of migration failed: Input/output error\n";

        var reason = IncomingFailure.Explain(log);

        Assert.EndsWith("load of migration failed: Input/output error", reason, StringComparison.Ordinal);
        Assert.True(reason.Length <= 602, $"{reason.Length} characters");
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    public void Explain_EmptyLog_AddsNothing(string log) => Assert.Equal("", IncomingFailure.Explain(log));

    [Fact]
    public void Explain_NoLogFile_AddsNothing()
    {
        var options = Fakes.TestOptions.In(Path.Combine(Path.GetTempPath(), "svl-nolog-" + Guid.NewGuid().ToString("n")));

        Assert.Equal("", IncomingFailure.Explain(VmPaths.For(options, "0123456789ab")));
    }
}
