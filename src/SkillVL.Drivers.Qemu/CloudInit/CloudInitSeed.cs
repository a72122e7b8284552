using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SkillVL.Core.Compute;

namespace SkillVL.Drivers.Qemu.CloudInit;

/// <summary>
/// The three files of a machine's NoCloud seed (ADR 0059), pure so that tests pin them. Each is JSON, which is YAML,
/// so no value (a key comment, a hostname) needs YAML quoting rules. What the seed holds comes from the room only:
/// the machine's id and name, its static addresses, the room's SSH keys and user-data; never a secret of the platform.
/// </summary>
public static class CloudInitSeed
{
    public const string MetaDataFile = "meta-data";
    public const string UserDataFile = "user-data";
    public const string NetworkConfigFile = "network-config";

    /// <summary>The volume label NoCloud looks for.</summary>
    public const string VolumeLabel = "cidata";

    /// <summary>Separates the MIME parts; never in a part's text, because each part is base64.</summary>
    private const string Boundary = "==SkillVL-cloud-init==";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>instance-id is the VM id: stable across reboots, so cloud-init's once-per-instance steps run once.</summary>
    public static string MetaData(VmSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new JsonObject { ["instance-id"] = spec.Id, ["local-hostname"] = spec.Name }.ToJsonString(Indented) + "\n";
    }

    /// <summary>
    /// The platform's cloud-config (the room's SSH keys for the default user); with the room's own user-data, a MIME
    /// multipart of both, the room's last, so that cloud-init's merge lets the room's settings win.
    /// </summary>
    public static string UserData(VmSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var config = new JsonObject();
        if (spec.CloudInit?.SshKeys is { Count: > 0 } keys)
        {
            // An empty list is invalid in cloud-init's schema (it warns on every boot), so none is written instead.
            config["ssh_authorized_keys"] = new JsonArray([.. keys.Select(k => (JsonNode)JsonValue.Create(k.Trim()))]);
        }

        var platform = "#cloud-config\n" + config.ToJsonString(Indented) + "\n";
        if (spec.CloudInit?.UserData is not { Length: > 0 } room)
        {
            return platform;
        }

        var text = new StringBuilder()
            .Append("Content-Type: multipart/mixed; boundary=\"").Append(Boundary).Append("\"\n")
            .Append("MIME-Version: 1.0\n\n");
        Part(text, "text/cloud-config", "platform.cfg", platform);
        Part(text, room.StartsWith("#!", StringComparison.Ordinal) ? "text/x-shellscript" : "text/cloud-config", "room", room);
        return text.Append("--").Append(Boundary).Append("--\n").ToString();
    }

    /// <summary>
    /// Netplan v2 for the NICs the room gives a static address, matched by MAC (guest interface names are not ours), and
    /// nothing else: a NIC without an address is left alone (DHCP or the student's own setup, issue 18). With no
    /// static NIC at all, cloud-init's network configuration is off, so it does not put DHCP on the first NIC itself.
    /// Gateway and DNS stay with the guest agent's script (ADR 0002), which sets them on every apply.
    /// </summary>
    public static string NetworkConfig(VmSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var ethernets = new JsonObject();
        for (var i = 0; i < spec.Nics.Count; i++)
        {
            var nic = spec.Nics[i];
            if (nic.IpAddress is null)
            {
                continue;
            }

            ethernets[$"nic{i}"] = new JsonObject
            {
                ["match"] = new JsonObject { ["macaddress"] = nic.MacAddress.ToLowerInvariant() },
                ["addresses"] = new JsonArray(nic.IpAddress),
                ["mtu"] = nic.Mtu,
            };
        }

        var config = ethernets.Count == 0
            ? new JsonObject { ["config"] = "disabled" }
            : new JsonObject { ["version"] = 2, ["ethernets"] = ethernets };
        return config.ToJsonString(Indented) + "\n";
    }

    private static void Part(StringBuilder text, string contentType, string fileName, string content) =>
        text.Append("--").Append(Boundary).Append('\n')
            .Append("Content-Type: ").Append(contentType).Append("; charset=\"utf-8\"\n")
            .Append("MIME-Version: 1.0\n")
            .Append("Content-Transfer-Encoding: base64\n")
            .Append("Content-Disposition: attachment; filename=\"").Append(fileName).Append("\"\n\n")
            .Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(content), Base64FormattingOptions.InsertLineBreaks).Replace("\r\n", "\n", StringComparison.Ordinal))
            .Append('\n');
}
