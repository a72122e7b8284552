using System.Text.Json;
using SkillVL.Core.Compute;
using SkillVL.Core.Networking;
using SkillVL.Core.Nodes.Protocol;
using static SkillVL.Agent.Remote.CallJson;

namespace SkillVL.Agent.Remote;

/// <summary>
/// The agent side of the connection: runs the Server's calls on the local node's drivers and answers. A disk for
/// a template the node lacks first fetches the template from the Server (content-addressed, verified on import), and
/// so does an incoming migration that moves only the VM's overlay.
/// </summary>
/// <param name="local">The node's offline side (ADR 0024), kept current by the calls; null in tests of the calls alone.</param>
/// <param name="fetchTemplate">Downloads a template from the Server into the node's store; returns the bytes downloaded.</param>
/// <param name="sendDisk">Sends a fenced disk back to the Server's relay session (see <see cref="CheckoutDispatch"/>).</param>
public sealed class AgentDispatcher(
    LocalNodeAgent node,
    Func<string, CancellationToken, Task<long>> fetchTemplate,
    Func<AgentCalls.ConsoleOpen, CancellationToken, Task>? openConsole = null,
    Local.LocalControlHost? local = null,
    Func<string, Stream, CancellationToken, Task>? sendDisk = null)
{
    public async Task<AgentMessage> HandleAsync(AgentMessage request, CancellationToken cancellationToken)
    {
        try
        {
            // The node's own record of its VMs follows the Server's calls (ADR 0024): what to restore offline.
            local?.BeforeCall(request.Method ?? "", request.Params);
            var result = await DispatchAsync(request.Method ?? "", request.Params, cancellationToken);
            local?.AfterCall(request.Method ?? "", request.Params);
            return new AgentMessage { Type = AgentMessage.Response, Id = request.Id, Result = result };
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return new AgentMessage { Type = AgentMessage.Response, Id = request.Id, Error = AgentChannel.ToError(e) };
        }
    }

    private async Task<JsonElement?> DispatchAsync(string method, JsonElement? parameters, CancellationToken ct)
    {
        switch (method)
        {
            case AgentMethods.NodePing:
                return null;
            case AgentMethods.VmsList:
                return Result(await node.Vms.ListAsync(ct));
            case AgentMethods.VmsEnsureDisk:
                var spec = Param<VmSpec>(parameters);
                await EnsureTemplateAsync(spec.TemplateSha256, ct);
                await node.Vms.EnsureDiskAsync(spec, ct);
                return null;
            case AgentMethods.VmsStart:
                await node.Vms.StartAsync(Param<VmSpec>(parameters), ct);
                return null;
            case AgentMethods.VmsStop:
                var stop = Param<AgentCalls.Stop>(parameters);
                await node.Vms.StopAsync(stop.Id, stop.Mode, stop.GracefulTimeout, ct);
                return null;
            case AgentMethods.VmsReset:
                await node.Vms.ResetAsync(Param<AgentCalls.VmId>(parameters).Id, ct);
                return null;
            case AgentMethods.VmsDelete:
                await node.Vms.DeleteAsync(Param<AgentCalls.VmId>(parameters).Id, ct);
                return null;
            case AgentMethods.VmsGuestPing:
                var ping = Param<AgentCalls.GuestPing>(parameters);
                return Result(await node.Vms.GuestPingAsync(ping.Id, ping.Timeout, ct));
            case AgentMethods.VmsGuestExec:
                var exec = Param<AgentCalls.GuestExec>(parameters);
                return Result(await node.Vms.GuestExecAsync(exec.Id, exec.Command, exec.Timeout, ct));
            case AgentMethods.NetworksList:
                return Result(await node.Networks.ListAsync(ct));
            case AgentMethods.NetworksEnsure:
                await node.Networks.EnsureAsync(Param<NetworkSpec>(parameters), ct);
                return null;
            case AgentMethods.NetworksDelete:
                await node.Networks.DeleteAsync(Param<AgentCalls.NetworkId>(parameters).Id, ct);
                return null;
            case AgentMethods.RoutersList:
                return Result(await Routers().ListAsync(ct));
            case AgentMethods.RoutersEnsure:
                await Routers().EnsureAsync(Param<RouterSpec>(parameters), ct);
                return null;
            case AgentMethods.RoutersDelete:
                await Routers().DeleteAsync(Param<AgentCalls.RouterId>(parameters).Id, ct);
                return null;
            case AgentMethods.TemplatesList:
                return Result(await node.Templates.ListAsync(ct));
            case AgentMethods.MigrationsMeasure:
                var measure = Param<AgentCalls.Measure>(parameters);
                return Result(await node.Migrations.MeasureAsync(measure.Id, measure.Sample, ct));
            case AgentMethods.MigrationsOpenLinkProbe:
                var probe = Param<AgentCalls.OpenLinkProbe>(parameters);
                return Result(await node.Migrations.OpenLinkProbeAsync(probe.MigrationId, probe.ListenAddress, ct));
            case AgentMethods.MigrationsCloseLinkProbe:
                await node.Migrations.CloseLinkProbeAsync(Param<AgentCalls.MigrationId>(parameters).Id, ct);
                return null;
            case AgentMethods.MigrationsProbeLink:
                return Result(await node.Migrations.ProbeLinkAsync(Param<LinkProbeEndpoint>(parameters), ct));
            case AgentMethods.MigrationsPrepareIncoming:
                var incoming = Param<IncomingMigrationRequest>(parameters);
                // The overlay is backed by the template on the target too: it must be in the store before the disk is made.
                // A full copy needs it as well: the VM boots the template's kernel and initrd, and a node keeps the template
                // of every VM it runs (a later EnsureDisk/restart asks for it). The bytes are reported as base bytes.
                var fetched = await EnsureTemplateAsync(incoming.Spec.TemplateSha256, ct);
                var target = await node.Migrations.PrepareIncomingAsync(incoming, ct);
                return Result(new AgentCalls.PreparedIncoming(target, fetched));
            case AgentMethods.MigrationsCompleteIncoming:
                await node.Migrations.CompleteIncomingAsync(Param<AgentCalls.VmId>(parameters).Id, ct);
                return null;
            case AgentMethods.MigrationsAbortIncoming:
                await node.Migrations.AbortIncomingAsync(Param<AgentCalls.VmId>(parameters).Id, ct);
                return null;
            case AgentMethods.MigrationsStartDiskMirror:
                await node.Migrations.StartDiskMirrorAsync(Param<OutgoingMigrationRequest>(parameters), ct);
                return null;
            case AgentMethods.MigrationsStartRam:
                await node.Migrations.StartRamMigrationAsync(Param<AgentCalls.VmId>(parameters).Id, ct);
                return null;
            case AgentMethods.MigrationsStatus:
                return Result(await node.Migrations.GetOutgoingStatusAsync(Param<AgentCalls.VmId>(parameters).Id, ct));
            case AgentMethods.MigrationsApplyDecision:
                var decision = Param<AgentCalls.ApplyDecision>(parameters);
                await node.Migrations.ApplyDecisionAsync(decision.Id, decision.Decision, ct);
                return null;
            case AgentMethods.MigrationsCompleteOutgoing:
                await node.Migrations.CompleteOutgoingAsync(Param<AgentCalls.VmId>(parameters).Id, ct);
                return null;
            case AgentMethods.MigrationsCancelOutgoing:
                await node.Migrations.CancelOutgoingAsync(Param<AgentCalls.VmId>(parameters).Id, ct);
                return null;
            case AgentMethods.MigrationsOpenReverseLinkProbe:
                var reverseProbe = Param<AgentCalls.OpenLinkProbe>(parameters);
                return Result(await node.Migrations.OpenReverseLinkProbeAsync(reverseProbe.MigrationId, reverseProbe.ListenAddress, ct));
            case AgentMethods.MigrationsOpenOutgoingRendezvous:
                var rendezvous = Param<AgentCalls.OpenOutgoingRendezvous>(parameters);
                return Result(await node.Migrations.OpenOutgoingRendezvousAsync(rendezvous.MigrationId, rendezvous.VmId, rendezvous.ListenAddress, ct));
            case AgentMethods.ConsoleOpen:
                if (openConsole is null)
                {
                    throw new Core.Errors.DriverException("This agent cannot relay consoles.");
                }

                await openConsole(Param<AgentCalls.ConsoleOpen>(parameters), ct);
                return null;
            case var _ when CheckoutDispatch.Handles(method):
                return await CheckoutDispatch.DispatchAsync(node.Checkouts, method, parameters, sendDisk, ct);
            case var _ when SnapshotDispatch.Handles(method):
                return await SnapshotDispatch.DispatchAsync(node.Snapshots, method, parameters, ct);
            default:
                throw new Core.Errors.DriverException($"This agent does not know the call '{method}' (a newer Server?).");
        }
    }

    /// <summary>Fetches the template from the Server unless the node's store has it; the bytes downloaded (0 if none).</summary>
    private async Task<long> EnsureTemplateAsync(string templateSha256, CancellationToken ct) =>
        await node.HasTemplateAsync(templateSha256, ct) ? 0 : await fetchTemplate(templateSha256, ct);

    private Core.Nodes.INodeRouters Routers() =>
        node.Routers ?? throw new Core.Errors.DriverException("This node cannot host room routers.");
}
