using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using SkillVL.Core.Addressing;
using SkillVL.Core.Compute;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;

namespace SkillVL.Server.Machines;

/// <summary>Turns a machine row into the backend-neutral <see cref="VmSpec"/> a node runs.</summary>
public static class MachineSpecs
{
    private static readonly Dictionary<string, VmCloudInit> Empty = new(StringComparer.Ordinal);

    /// <param name="roomName">The room's name, so the node's owner can find the VM by ROOM/VM offline (ADR 0024).</param>
    /// <param name="cloudInit">The machine's cloudInit from the room definition (<see cref="CloudInitOf"/>), or null.</param>
    public static VmSpec ToSpec(
        MachineEntity machine, IReadOnlyDictionary<string, NetworkEntity> networksById, string? roomName = null, VmCloudInit? cloudInit = null)
    {
        var nics = machine.Nics.OrderBy(n => n.Index).Select(n =>
        {
            var network = networksById[n.NetworkId];
            var ip = n.Ip is null ? null : Ipv4Cidr.Parse(network.Cidr).HostWithPrefix(IPAddress.Parse(n.Ip));
            return new NicSpec(n.Id, n.NetworkId, n.MacAddress, network.Mtu, ip);
        }).ToList();
        return new VmSpec(
            machine.Id,
            machine.Name,
            machine.TemplateSha256,
            machine.Cpus,
            machine.MemoryBytes,
            nics,
            SpecHash(machine, nics),
            roomName,
            cloudInit);
    }

    /// <summary>
    /// Hash over what needs a restart to change: hardware (CPUs, RAM, disk base, NICs) and the restart
    /// nonce. Addresses are not in it: the reconciler re-applies them through the guest agent live.
    /// </summary>
    public static string SpecHash(MachineEntity machine, IReadOnlyList<NicSpec> nics)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"cpus={machine.Cpus};mem={machine.MemoryBytes};tpl={machine.TemplateSha256};nonce={machine.RestartNonce}");
        foreach (var nic in nics)
        {
            text.Append(CultureInfo.InvariantCulture, $";nic={nic.Id},{nic.NetworkId},{nic.MacAddress},{nic.Mtu}");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    /// <summary>
    /// Machine name → its cloudInit, read from a room's stored definition (the room document is the only place it is
    /// kept: no column, ADR 0059). Empty without a parse when the definition has no cloudInit at all.
    /// </summary>
    public static IReadOnlyDictionary<string, VmCloudInit> CloudInitOf(RoomEntity room)
    {
        if (!room.DefinitionJson.Contains("\"cloudInit\"", StringComparison.Ordinal))
        {
            return Empty;
        }

        var parsed = RoomDocument.Parse(room.DefinitionJson);
        return parsed.Definition is not { } definition
            ? Empty
            : definition.Machines
                .Where(m => m.CloudInit is not null)
                .ToDictionary(m => m.Name, m => new VmCloudInit(m.CloudInit!.SshKeys, m.CloudInit.UserData), StringComparer.Ordinal);
    }

    /// <summary>A stable MAC from the NIC id: QEMU's locally administered 52:54:00 prefix plus 24 bits of the id.</summary>
    public static string MacFor(string nicId) =>
        $"52:54:00:{nicId[..2]}:{nicId[2..4]}:{nicId[4..6]}";
}
