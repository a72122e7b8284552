using System.Text.Json;
using SkillVL.Core.Checkout;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes.Protocol;
using static SkillVL.Agent.Remote.CallJson;

namespace SkillVL.Agent.Remote;

/// <summary>The agent side of the check-out calls (<see cref="CheckoutMethods"/>): runs them on the node's
/// <see cref="IVmCheckoutDriver"/>. Its own block, beside <see cref="AgentDispatcher"/>'s.</summary>
internal static class CheckoutDispatch
{
    public static bool Handles(string method) => method.StartsWith(CheckoutMethods.Prefix, StringComparison.Ordinal);

    /// <param name="sendDisk">Connects a WebSocket back to the Server's relay session and sends the stream over it in the
    /// background (disposing it at the end); returns once connected (ADR 0044). Null: this agent cannot send disks.</param>
    public static async Task<JsonElement?> DispatchAsync(
        IVmCheckoutDriver? checkouts, string method, JsonElement? parameters, Func<string, Stream, CancellationToken, Task>? sendDisk, CancellationToken ct)
    {
        var driver = checkouts ?? throw new DriverException("This node does not offer check-outs.", isTransient: false);
        switch (method)
        {
            case CheckoutMethods.Retain:
                return Result(await driver.RetainAsync(Param<AgentCalls.VmId>(parameters).Id, ct));
            case CheckoutMethods.GetRetained:
                return Result(await driver.GetRetainedAsync(Param<AgentCalls.VmId>(parameters).Id, ct));
            case CheckoutMethods.ExportRetained:
                var export = Param<CheckoutCalls.Export>(parameters);
                return Result(await driver.ExportRetainedAsync(export.Id, export.ListenAddress, ct));
            case CheckoutMethods.CloseRetainedExport:
                await driver.CloseRetainedExportAsync(Param<AgentCalls.VmId>(parameters).Id, ct);
                return null;
            case CheckoutMethods.ReleaseRetained:
                await driver.ReleaseRetainedAsync(Param<AgentCalls.VmId>(parameters).Id, ct);
                return null;
            case CheckoutMethods.StartTracking:
                await driver.StartTrackingAsync(Param<AgentCalls.VmId>(parameters).Id, ct);
                return null;
            case CheckoutMethods.GetTracking:
                return Result(await driver.GetTrackingAsync(Param<AgentCalls.VmId>(parameters).Id, ct));
            case CheckoutMethods.Sync:
                var sync = Param<CheckoutCalls.Sync>(parameters);
                return Result(await driver.SyncAsync(sync.Id, sync.Target, sync.Speed, ct));
            case CheckoutMethods.RenewLease:
                var renew = Param<CheckoutCalls.RenewLease>(parameters);
                return Result(await driver.RenewLeaseAsync(renew.Id, renew.Epoch, TimeSpan.FromSeconds(renew.DurationSeconds), ct));
            case CheckoutMethods.GetLease:
                return Result(await driver.GetLeaseAsync(Param<AgentCalls.VmId>(parameters).Id, ct));
            case CheckoutMethods.Revive:
                await driver.ReviveAsync(Param<AgentCalls.VmId>(parameters).Id, ct);
                return null;
            case CheckoutMethods.Fence:
                var fence = Param<CheckoutCalls.Fence>(parameters);
                return Result(await driver.FenceAsync(fence.Id, fence.Epoch, ct));
            case CheckoutMethods.DiscardFenced:
                var discard = Param<CheckoutCalls.DiscardFenced>(parameters);
                return Result(await driver.DiscardFencedAsync(discard.Id, discard.Epoch, ct));
            case CheckoutMethods.SendFenced:
                var send = Param<CheckoutCalls.SendFenced>(parameters);
                var connect = sendDisk ?? throw new DriverException("This agent cannot send disks to the Server.", isTransient: false);
                if (await driver.OpenFencedAsync(send.Id, send.Epoch, ct) is not { } disk)
                {
                    return Result<CheckoutCalls.FencedSent?>(null);
                }

                try
                {
                    await connect(send.Session, disk.Content, ct);
                }
                catch
                {
                    await disk.DisposeAsync();
                    throw;
                }

                return Result(new CheckoutCalls.FencedSent(disk.Length));
            default:
                throw new DriverException($"This agent does not know the call '{method}' (a newer Server?).");
        }
    }
}
