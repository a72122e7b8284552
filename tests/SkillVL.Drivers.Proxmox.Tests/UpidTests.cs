using SkillVL.Drivers.Proxmox.Tasks;

namespace SkillVL.Drivers.Proxmox.Tests;

public sealed class UpidTests
{
    [Fact]
    public void Parse_CapturedQmstartUpid_ReadsEveryField()
    {
        // fixtures/real-task-status-qmstart-warnings.json
        var upid = Upid.Parse("UPID:dahu-2:00007323:001036A5:6419CAF8:qmstart:100:root@pam:");

        Assert.Equal("dahu-2", upid.Node);
        Assert.Equal(0x7323, upid.Pid);
        Assert.Equal(0x1036A5, upid.ProcessStart);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1679411960), upid.StartTime);
        Assert.Equal("qmstart", upid.Type);
        Assert.Equal("100", upid.Id);
        Assert.Equal("root@pam", upid.User);
    }

    [Fact]
    public void Parse_TokenUserAndCloneOfSource_KeepsTheTokenId()
    {
        // fixtures/real-task-log-line-clone-storage-lock.txt: an API token as the user; qmclone names the SOURCE vmid.
        var upid = Upid.Parse("UPID:pve-mp:00000ACD:00006AE8:679A423B:qmclone:112:capmox@pve!capi:");

        Assert.Equal("capmox@pve!capi", upid.User);
        Assert.Equal("112", upid.Id);
    }

    [Fact]
    public void Parse_EmptyId_IsAllowed() =>
        Assert.Equal("", Upid.Parse("UPID:pve1:00001234:00005678:65000000:aptupdate::root@pam:").Id);

    [Theory]
    [InlineData("UPID:pve1:00001234:00005678:65000000:qmstart:100:root@pam")]
    [InlineData("UPID:pve1:1234:00005678:65000000:qmstart:100:root@pam:")]
    [InlineData("UPID:-pve:00001234:00005678:65000000:qmstart:100:root@pam:")]
    [InlineData("not a upid")]
    public void TryParse_Malformed_IsRefused(string text) => Assert.False(Upid.TryParse(text, out _));

    [Theory]
    [InlineData("OK", true)]
    [InlineData("WARNINGS: 1", true)]
    [InlineData("interrupted by signal", false)]
    [InlineData("clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout", false)]
    public void TaskOutcome_WarningsAreSuccess(string exitStatus, bool success) => Assert.Equal(success, TaskOutcome.IsSuccess(exitStatus));
}
