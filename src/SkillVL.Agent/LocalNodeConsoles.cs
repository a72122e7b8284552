using System.Collections.Concurrent;
using System.Net.Sockets;
using SkillVL.Agent.Consoles;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes;
using SkillVL.Drivers.Qemu;

namespace SkillVL.Agent;

/// <summary>
/// The consoles of this node's VMs as byte streams (ADR 0036): a connection to the VM's VNC or serial unix socket,
/// which QEMU serves on the node itself.
/// </summary>
internal sealed class LocalNodeConsoles(QemuNode node) : INodeConsoles, IDisposable
{
    private readonly ConcurrentDictionary<string, SerialConsoleHub> _serial = new(StringComparer.Ordinal);

    /// <summary>A VNC console is QEMU's own connection (its VNC server takes several clients, shared); so is each of a
    /// SPICE session's channels (one connection per channel, ADR 0056); a serial console is a client of the VM's
    /// <see cref="SerialConsoleHub"/>, so several can be open at once (ADR 0054).</summary>
    public async Task<Stream> OpenAsync(string vmId, string kind, CancellationToken cancellationToken)
    {
        var path = ConsoleSocket(node, vmId, kind);
        if (kind is "vnc" or "spice")
        {
            return await ConnectAsync(path, vmId, kind, cancellationToken);
        }

        // A hub that closed between the lookup and the attach (its last client left, its guest stopped) is replaced.
        for (var attempt = 0; ; attempt++)
        {
            var hub = _serial.GetOrAdd(path, p => new SerialConsoleHub(ct => ConnectAsync(p, vmId, kind, ct), closed => _serial.TryRemove(new(p, closed))));
            if (await hub.AttachAsync(cancellationToken) is { } client)
            {
                return client;
            }

            _serial.TryRemove(new(path, hub));
            if (attempt == 3)
            {
                throw new DriverException($"The serial console of VM {vmId} kept closing while it was opened.", isTransient: true);
            }
        }
    }

    /// <summary>Ends every shared serial console (the agent is stopping).</summary>
    public void Dispose()
    {
        foreach (var hub in _serial.Values)
        {
            hub.Dispose();
        }
    }

    private static async Task<Stream> ConnectAsync(string path, string vmId, string kind, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new DriverException($"The {kind} console of VM {vmId} cannot be reached: {e.Message}", isTransient: true, e);
        }

        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>The unix socket of a VM's console: "vnc" (RFB), "spice" (one SPICE channel) or "serial" (the guest's
    /// ttyS0). Any other kind is refused, never mapped to a default.</summary>
    public static string ConsoleSocket(QemuNode node, string vmId, string kind)
    {
        var endpoints = node.Vms.GetConsoleEndpoints(vmId);
        return kind switch
        {
            "vnc" => endpoints.VncSocket,
            "spice" => endpoints.SpiceSocket,
            "serial" => endpoints.SerialSocket,
            _ => throw new DriverException($"There is no console of kind '{kind}'.", isTransient: false),
        };
    }
}
