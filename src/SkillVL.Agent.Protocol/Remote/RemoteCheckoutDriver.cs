using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using SkillVL.Core.Checkout;
using SkillVL.Core.Errors;
using SkillVL.Core.Migration;
using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Agent.Remote;

/// <summary>
/// <see cref="IVmCheckoutDriver"/> of a remote agent: each call goes over the agent's connection
/// (<see cref="CheckoutMethods"/>). A call's own bound is the RPC timeout below; a sync's is the caller's token as
/// well, since only the caller knows the link (<see cref="SyncCall"/> is the ceiling).
/// </summary>
/// <param name="call">The agent connection's call (method, parameters, timeout).</param>
/// <param name="relay">Where the Server meets a connection the agent opens back (a fenced disk's bytes, ADR 0044); null:
/// this end cannot receive one.</param>
public sealed class RemoteCheckoutDriver(
    Func<string, object?, TimeSpan, CancellationToken, Task<JsonElement?>> call, string nodeName, IConsoleRendezvous? relay = null) : IVmCheckoutDriver
{
    /// <summary>How long the agent has to connect back once asked (as for a console).</summary>
    private static readonly TimeSpan AgentConnectTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan ShortCall = TimeSpan.FromSeconds(30);

    /// <summary>Quitting a QEMU, moving a disk, starting the export's QEMU: what a VM delete gets.</summary>
    private static readonly TimeSpan StepCall = TimeSpan.FromMinutes(2);

    /// <summary>The longest sync the RPC waits for: a whole 20 GiB overlay at 50 Mbit/s takes about an hour.</summary>
    private static readonly TimeSpan SyncCall = TimeSpan.FromHours(2);

    public async Task<RetainedCopy> RetainAsync(string vmId, CancellationToken cancellationToken) =>
        await CallAsync<RetainedCopy>(CheckoutMethods.Retain, new AgentCalls.VmId(vmId), StepCall, cancellationToken)
            ?? throw new DriverException($"Node {nodeName} returned no retained copy.", isTransient: true);

    public Task<RetainedCopy?> GetRetainedAsync(string vmId, CancellationToken cancellationToken) =>
        CallAsync<RetainedCopy>(CheckoutMethods.GetRetained, new AgentCalls.VmId(vmId), ShortCall, cancellationToken);

    public async Task<RetainedExport> ExportRetainedAsync(string vmId, string listenAddress, CancellationToken cancellationToken) =>
        await CallAsync<RetainedExport>(CheckoutMethods.ExportRetained, new CheckoutCalls.Export(vmId, listenAddress), StepCall, cancellationToken)
            ?? throw new DriverException($"Node {nodeName} returned no export.", isTransient: true);

    public Task CloseRetainedExportAsync(string vmId, CancellationToken cancellationToken) =>
        call(CheckoutMethods.CloseRetainedExport, new AgentCalls.VmId(vmId), StepCall, cancellationToken);

    public Task ReleaseRetainedAsync(string vmId, CancellationToken cancellationToken) =>
        call(CheckoutMethods.ReleaseRetained, new AgentCalls.VmId(vmId), StepCall, cancellationToken);

    public Task StartTrackingAsync(string vmId, CancellationToken cancellationToken) =>
        call(CheckoutMethods.StartTracking, new AgentCalls.VmId(vmId), ShortCall, cancellationToken);

    public async Task<WriteTracking> GetTrackingAsync(string vmId, CancellationToken cancellationToken) =>
        await CallAsync<WriteTracking>(CheckoutMethods.GetTracking, new AgentCalls.VmId(vmId), ShortCall, cancellationToken)
            ?? throw new DriverException($"Node {nodeName} returned no tracking state.", isTransient: true);

    public async Task<DiskSyncResult> SyncAsync(string vmId, RetainedExport target, DataRate speed, CancellationToken cancellationToken) =>
        await CallAsync<DiskSyncResult>(CheckoutMethods.Sync, new CheckoutCalls.Sync(vmId, target, speed), SyncCall, cancellationToken)
            ?? throw new DriverException($"Node {nodeName} returned no sync result.", isTransient: true);

    public async Task<CheckoutLease> RenewLeaseAsync(string vmId, int epoch, TimeSpan duration, CancellationToken cancellationToken) =>
        await CallAsync<CheckoutLease>(CheckoutMethods.RenewLease, new CheckoutCalls.RenewLease(vmId, epoch, duration.TotalSeconds), ShortCall, cancellationToken)
            ?? throw new DriverException($"Node {nodeName} returned no lease.", isTransient: true);

    public Task<CheckoutLease?> GetLeaseAsync(string vmId, CancellationToken cancellationToken) =>
        CallAsync<CheckoutLease>(CheckoutMethods.GetLease, new AgentCalls.VmId(vmId), ShortCall, cancellationToken);

    public Task ReviveAsync(string vmId, CancellationToken cancellationToken) =>
        call(CheckoutMethods.Revive, new AgentCalls.VmId(vmId), StepCall, cancellationToken);

    public Task<FencedCopy?> FenceAsync(string vmId, int epoch, CancellationToken cancellationToken) =>
        CallAsync<FencedCopy>(CheckoutMethods.Fence, new CheckoutCalls.Fence(vmId, epoch), StepCall, cancellationToken);

    public async Task<bool> DiscardFencedAsync(string vmId, int epoch, CancellationToken cancellationToken) =>
        (await call(CheckoutMethods.DiscardFenced, new CheckoutCalls.DiscardFenced(vmId, epoch), StepCall, cancellationToken)) is { ValueKind: JsonValueKind.True };

    /// <summary>
    /// The agent opens the copy, connects a WebSocket back to the Server for this session (<see cref="AgentPaths.DiskRelay"/>)
    /// and answers with the length; then it sends the bytes and closes (<see cref="DiskRelay"/>). Nothing connects in to
    /// the node: a client behind NAT sends its copy like its consoles.
    /// </summary>
    public async Task<FencedDiskStream?> OpenFencedAsync(string vmId, int epoch, CancellationToken cancellationToken)
    {
        var rendezvous = relay ?? throw new DriverException($"This end cannot receive a disk from node {nodeName}.", isTransient: false);
        var session = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        rendezvous.Expect(session, nodeName);
        try
        {
            var sent = await CallAsync<CheckoutCalls.FencedSent>(CheckoutMethods.SendFenced, new CheckoutCalls.SendFenced(vmId, epoch, session), ShortCall, cancellationToken);
            if (sent is null)
            {
                rendezvous.End(session);
                return null;
            }

            var socket = await rendezvous.WaitForAgentAsync(session, AgentConnectTimeout, cancellationToken)
                ?? throw new DriverException($"Node {nodeName} did not connect the fenced disk of VM {vmId} within {AgentConnectTimeout.TotalSeconds:0} s.", isTransient: true);
            return new FencedDiskStream(vmId, epoch, sent.Length,
                new SessionStream(WebSocketStream.Create(socket, WebSocketMessageType.Binary, CloseTimeout), () => rendezvous.End(session)));
        }
        catch
        {
            rendezvous.End(session);
            throw;
        }
    }

    private async Task<T?> CallAsync<T>(string method, object parameters, TimeSpan timeout, CancellationToken cancellationToken)
        where T : class
    {
        var result = await call(method, parameters, timeout, cancellationToken);
        return result is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } value ? value.Deserialize<T>(AgentChannel.Json) : null;
    }
}
