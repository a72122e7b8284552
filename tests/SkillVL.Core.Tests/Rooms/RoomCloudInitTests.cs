using SkillVL.Core.Rooms;
using Xunit;
using static SkillVL.Core.Tests.Rooms.RoomSamples;

namespace SkillVL.Core.Tests.Rooms;

/// <summary>A machine's cloudInit (ADR 0059): read, written back, and refused with errors naming the field.</summary>
public sealed class RoomCloudInitTests
{
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGQ7xMUAEuCQR3a6tm8S9Jf6TKzj1Yx7U6DQhU2g0E4r student@lab";

    private static string WithCloudInit(string cloudInit) => Room($"""
        metadata: {"{"}name: lab{"}"}
        machines:
          - name: a
            template: tiny
            cloudInit:
        {cloudInit}
        """);

    [Fact]
    public void CloudInit_RoundTrips_ThroughYamlAndJson()
    {
        var text = WithCloudInit($"""
                  sshKeys:
                    - {Key}
                  userData: |
                    #cloud-config
                    packages: [htop]
                    runcmd:
                      - echo "a: b" > /etc/motd
            """);

        var room = ParseValid(text);

        Assert.Equal([Key], room.Machines[0].CloudInit!.SshKeys);
        Assert.Equal("#cloud-config\npackages: [htop]\nruncmd:\n  - echo \"a: b\" > /etc/motd", room.Machines[0].CloudInit!.UserData);
        Assert.Empty(RoomValidator.Validate(room, Context));
        AssertSameRoom(room, ParseValid(RoomDocument.ToYaml(room)));
        AssertSameRoom(room, ParseValid(RoomDocument.ToJson(room)));
    }

    [Fact]
    public void CloudInit_UnknownField_IsASchemaErrorAtItsPath()
    {
        var result = RoomDocument.Parse(WithCloudInit("          password: secret"));

        Assert.Contains(result.Errors, e => e.Field.StartsWith("machines[0].cloudInit", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ssh-dss AAAAB3NzaC1kc3M= old", "machines[0].cloudInit.sshKeys[0]")]
    [InlineData("ssh-ed25519 not*base64 x", "machines[0].cloudInit.sshKeys[0]")]
    [InlineData("ssh-ed25519", "machines[0].cloudInit.sshKeys[0]")]
    public void BadKey_IsRefused_NamingTheKey(string key, string path)
    {
        var room = ParseValid(WithCloudInit($"          sshKeys: [\"{key}\"]"));

        var error = Assert.Single(RoomValidator.Validate(room, Context));
        Assert.Equal(path, error.Field);
    }

    [Fact]
    public void KeyWithANewline_IsRefused() =>
        Assert.NotNull(RoomCloudInitValidator.KeyProblem(Key + "\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5 second"));

    [Fact]
    public void TooManyKeys_AndTooLongAKey_AreRefused()
    {
        var many = ParseValid(WithCloudInit("          sshKeys: [" + string.Join(", ", Enumerable.Repeat($"\"{Key}\"", RoomCloudInitValidator.MaxSshKeys + 1)) + "]"));
        var error = Assert.Single(RoomValidator.Validate(many, Context));
        Assert.Equal("machines[0].cloudInit.sshKeys", error.Field);
        Assert.Contains("at most 16", error.Message, StringComparison.Ordinal);

        Assert.Contains("at most 4096", RoomCloudInitValidator.KeyProblem(Key + new string('x', RoomCloudInitValidator.MaxSshKeyLength)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("packages: [htop]")]
    [InlineData("echo hi")]
    public void UserData_WithoutAKnownFirstLine_IsRefused(string userData)
    {
        var room = ParseValid(WithCloudInit($"          userData: \"{userData}\""));

        var error = Assert.Single(RoomValidator.Validate(room, Context));
        Assert.Equal("machines[0].cloudInit.userData", error.Field);
        Assert.Contains("#cloud-config", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UserData_Over16KiB_IsRefused()
    {
        Assert.Null(RoomCloudInitValidator.UserDataProblem("#!/bin/sh\n" + new string('#', (16 * 1024) - 10)));
        Assert.Contains("16 KiB", RoomCloudInitValidator.UserDataProblem("#!/bin/sh\n" + new string('#', (16 * 1024) - 9)), StringComparison.Ordinal);
    }
}
