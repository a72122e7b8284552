using SkillVL.Drivers.Qemu.Hypervisor;

namespace SkillVL.Drivers.Qemu.Tests.Hypervisor;

/// <summary>Issue 12, Deliver 6: VMs run a versioned machine type, never the bare alias.</summary>
public sealed class QemuMachineHelpTests
{
    // The head of Debian 12's `qemu-system-x86_64 -machine help` (QEMU 7.2.22), q35 lines included.
    private const string Help = """
        Supported machines are:
        microvm              microvm (i386)
        pc                   Standard PC (i440FX + PIIX, 1996) (alias of pc-i440fx-7.2)
        pc-i440fx-7.2        Standard PC (i440FX + PIIX, 1996) (default)
        pc-i440fx-7.1        Standard PC (i440FX + PIIX, 1996)
        pc-i440fx-2.0        Standard PC (i440FX + PIIX, 1996)
        q35                  Standard PC (Q35 + ICH9, 2009) (alias of pc-q35-7.2)
        pc-q35-7.2           Standard PC (Q35 + ICH9, 2009)
        pc-q35-7.1           Standard PC (Q35 + ICH9, 2009)
        none                 empty machine

        """;

    [Theory]
    [InlineData("pc", "pc-i440fx-7.2")]
    [InlineData("q35", "pc-q35-7.2")]
    [InlineData("pc-i440fx-7.1", "pc-i440fx-7.1")]
    [InlineData("microvm", "microvm")]
    [InlineData("pc-i440fx-9.9", null)]
    [InlineData("Standard", null)]
    public void Resolve_AliasToVersionedType(string configured, string? expected) =>
        Assert.Equal(expected, QemuMachineHelp.Resolve(Help, configured));

    [Fact]
    public void Family_ListsTheVersionedTypesOfTheSameMachine_NoAliases()
    {
        Assert.Equal(["pc-i440fx-7.2", "pc-i440fx-7.1", "pc-i440fx-2.0"], QemuMachineHelp.Family(Help, "pc-i440fx-7.2"));
        Assert.Equal(["pc-q35-7.2", "pc-q35-7.1"], QemuMachineHelp.Family(Help, "pc-q35-7.2"));
        Assert.Equal(["microvm"], QemuMachineHelp.Family(Help, "microvm"));
    }

    [Theory]
    [InlineData("QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022", "7.2.22")]
    [InlineData("QEMU emulator version 8.2.2\n", "8.2.2")]
    [InlineData("something else", "something else")]
    public void ParseVersion_TakesTheNumber(string output, string expected) =>
        Assert.Equal(expected, QemuHypervisorProbe.ParseVersion(output));
}
