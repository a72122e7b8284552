using System.Net.Sockets;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes;
using SkillVL.Drivers.Qemu;

namespace SkillVL.Agent;

/// <summary>
/// The consoles of this node's VMs as byte streams (ADR 0036): a connection to the VM's VNC or serial unix socket,
/// which QEMU serves on the node itself.
/// </summary>
internal sealed class LocalNodeConsoles(QemuNode node) : INodeConsoles
{
    public async Task<Stream> OpenAsync(string vmId, string kind, CancellationToken cancellationToken)
    {
        var path = ConsoleSocket(node, vmId, kind);
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

    /// <summary>The unix socket of a VM's console: "vnc" (RFB) or "serial" (the guest's ttyS0).</summary>
    public static string ConsoleSocket(QemuNode node, string vmId, string kind)
    {
        var endpoints = node.Vms.GetConsoleEndpoints(vmId);
        return kind == "vnc" ? endpoints.VncSocket : endpoints.SerialSocket;
    }
}
