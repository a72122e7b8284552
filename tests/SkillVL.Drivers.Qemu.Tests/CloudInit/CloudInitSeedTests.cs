using System.Text;
using System.Text.Json.Nodes;
using SkillVL.Core.Compute;
using SkillVL.Drivers.Qemu.CloudInit;

namespace SkillVL.Drivers.Qemu.Tests.CloudInit;

public sealed class CloudInitSeedTests
{
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGQ7 student@lab";

    [Fact]
    public void MetaData_InstanceIdIsTheVmId_HostnameIsTheMachineName()
    {
        var meta = JsonNode.Parse(CloudInitSeed.MetaData(Spec([])))!;

        Assert.Equal("0123456789ab", (string?)meta["instance-id"]);
        Assert.Equal("web", (string?)meta["local-hostname"]);
    }

    [Fact]
    public void UserData_WithoutRoomUserData_IsACloudConfigWithTheKeys()
    {
        var text = CloudInitSeed.UserData(Spec([]) with { CloudInit = new VmCloudInit([Key + "\n"], null) });

        Assert.StartsWith("#cloud-config\n", text, StringComparison.Ordinal);
        var config = JsonNode.Parse(text["#cloud-config\n".Length..])!;
        Assert.Equal([Key], config["ssh_authorized_keys"]!.AsArray().Select(k => (string?)k));
    }

    [Fact]
    public void UserData_WithoutCloudInit_HasNoKeys()
    {
        var text = CloudInitSeed.UserData(Spec([]));

        var config = JsonNode.Parse(text["#cloud-config\n".Length..])!;
        Assert.Null(config["ssh_authorized_keys"]);
    }

    [Theory]
    [InlineData("#cloud-config\npackages: [htop]\n", "text/cloud-config")]
    [InlineData("#!/bin/sh\necho hi > /tmp/hi\n", "text/x-shellscript")]
    public void UserData_WithRoomUserData_IsMultipart_PlatformFirst_RoomLast(string room, string roomType)
    {
        var text = CloudInitSeed.UserData(Spec([]) with { CloudInit = new VmCloudInit([Key], room) });

        Assert.StartsWith("Content-Type: multipart/mixed; boundary=\"", text, StringComparison.Ordinal);
        var boundary = text.Split('"')[1];
        var parts = text.Split("--" + boundary).Skip(1).SkipLast(1).ToList();
        Assert.Equal(2, parts.Count);
        Assert.Contains("Content-Type: text/cloud-config;", parts[0], StringComparison.Ordinal);
        Assert.Contains($"Content-Type: {roomType};", parts[1], StringComparison.Ordinal);
        Assert.Contains(Key, Decode(parts[0]), StringComparison.Ordinal);
        Assert.Equal(room, Decode(parts[1]));
        Assert.EndsWith("--" + boundary + "--\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void UserData_RoomTextHoldingTheBoundary_CannotEndItsPart()
    {
        var first = CloudInitSeed.UserData(Spec([]) with { CloudInit = new VmCloudInit([], "#!/bin/sh\n") });
        var boundary = first.Split('"')[1];
        var room = $"#!/bin/sh\n--{boundary}--\necho pwned\n";

        var text = CloudInitSeed.UserData(Spec([]) with { CloudInit = new VmCloudInit([], room) });

        Assert.Equal(3, text.Split("--" + boundary).Length - 1); // two parts and the end: the room's copy is base64
    }

    [Fact]
    public void NetworkConfig_OnlyNicsWithAStaticAddress_MatchedByMac()
    {
        var spec = Spec(
        [
            new NicSpec("000000000001", "aaaaaaaaaaaa", "52:54:00:00:00:01", 1450, "10.0.1.10/24"),
            new NicSpec("000000000002", "bbbbbbbbbbbb", "52:54:00:00:00:02", 1500, null),
            new NicSpec("000000000003", "cccccccccccc", "52:54:00:00:00:0A", 1500, "10.0.3.7/28"),
        ]);

        var config = JsonNode.Parse(CloudInitSeed.NetworkConfig(spec))!;

        Assert.Equal(2, (int?)config["version"]);
        var ethernets = config["ethernets"]!.AsObject();
        Assert.Equal(["nic0", "nic2"], ethernets.Select(e => e.Key));
        Assert.Equal("52:54:00:00:00:01", (string?)ethernets["nic0"]!["match"]!["macaddress"]);
        Assert.Equal("10.0.1.10/24", (string?)ethernets["nic0"]!["addresses"]![0]);
        Assert.Equal(1450, (int?)ethernets["nic0"]!["mtu"]);
        Assert.Equal("52:54:00:00:00:0a", (string?)ethernets["nic2"]!["match"]!["macaddress"]);
    }

    [Fact]
    public void NetworkConfig_NoStaticNic_TurnsCloudInitNetworkingOff()
    {
        var spec = Spec([new NicSpec("000000000002", "bbbbbbbbbbbb", "52:54:00:00:00:02", 1500, null)]);

        var config = JsonNode.Parse(CloudInitSeed.NetworkConfig(spec))!;

        Assert.Equal("disabled", (string?)config["config"]);
        Assert.Null(config["ethernets"]);
    }

    private static string Decode(string part)
    {
        var body = part[(part.IndexOf("\n\n", StringComparison.Ordinal) + 2)..].Replace("\n", "", StringComparison.Ordinal);
        return Encoding.UTF8.GetString(Convert.FromBase64String(body));
    }

    private static VmSpec Spec(IReadOnlyList<NicSpec> nics) =>
        new("0123456789ab", "web", new string('a', 64), 1, 512L * 1024 * 1024, nics, "h");
}
