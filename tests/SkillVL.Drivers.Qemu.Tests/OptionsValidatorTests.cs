namespace SkillVL.Drivers.Qemu.Tests;

public sealed class OptionsValidatorTests
{
    [Fact]
    public void Defaults_WithPathsAndInstance_AreValid()
    {
        var options = new QemuDriverOptions { DataDirectory = "/var/lib/skillvl", RuntimeDirectory = "/run/skillvl", InstanceId = "main" };

        Assert.True(new QemuDriverOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(TimeSpan.FromSeconds(30), options.GracefulStopTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.QmpCommandTimeout);
        Assert.Equal(32, options.TcgTranslationBlockCacheMiB);
        Assert.Equal("auto", options.Accelerator);
        Assert.Equal("pc", options.MachineType);
        Assert.Equal("skillvl-qemu", options.RunAsUser);
        Assert.True(options.Sandbox);
    }

    [Theory]
    [InlineData("root:x")]
    [InlineData("-rf")]
    [InlineData("Qemu")]
    [InlineData("a,b")]
    public void Issue11_RunAsUserThatIsNoPlainUserName_IsRefused(string user)
    {
        var options = new QemuDriverOptions { DataDirectory = "/d", RuntimeDirectory = "/r", InstanceId = "main", RunAsUser = user };

        var result = new QemuDriverOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, f => f.StartsWith("RunAsUser", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_NamesEveryOffendingField()
    {
        var options = new QemuDriverOptions
        {
            DataDirectory = "relative",
            RuntimeDirectory = "/" + new string('r', 100),
            InstanceId = "has space",
            Accelerator = "hvf",
            VmNetwork = "slirp",
            QmpCommandTimeout = TimeSpan.Zero,
        };

        var result = new QemuDriverOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        foreach (var field in new[] { "DataDirectory", "RuntimeDirectory", "InstanceId", "Accelerator", "VmNetwork", "QmpCommandTimeout" })
        {
            Assert.Contains(result.Failures!, f => f.StartsWith(field, StringComparison.Ordinal));
        }
    }
}
