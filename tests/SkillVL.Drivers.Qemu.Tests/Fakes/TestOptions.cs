namespace SkillVL.Drivers.Qemu.Tests.Fakes;

public static class TestOptions
{
    /// <summary>Fixed paths: golden files must not depend on where the test runs.</summary>
    public static QemuDriverOptions Fixed() => new()
    {
        DataDirectory = "/var/lib/skillvl",
        RuntimeDirectory = "/run/skillvl",
        InstanceId = "test",
    };

    public static QemuDriverOptions In(string root, string instanceId = "test") => new()
    {
        DataDirectory = Path.Combine(root, "data"),
        RuntimeDirectory = Path.Combine(root, "run"),
        InstanceId = instanceId,
    };
}
