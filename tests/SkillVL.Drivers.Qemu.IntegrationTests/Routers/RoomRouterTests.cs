using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Compute;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Networking;
using SkillVL.Drivers.Qemu.Networking;
using SkillVL.Drivers.Qemu.Networking.Routers;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Routers;

/// <summary>
/// Issue 18 / ADR 0039 on the node alone, with one real tiny guest: what the Server-level test
/// (<c>SkillVL.IntegrationTests.RoomNetworkingTests</c>: ping across the router, a DHCP lease, a name resolved, rooms with
/// identical CIDRs apart, nothing left after delete) does not show — the router's static route and no default route,
/// forwarding on in its namespace only, an identical second room's DNS never answering in the first, no upstream for
/// outside names, an unchanged ensure leaving the router serving, restarting a dnsmasq that died and putting back a leg
/// that left its bridge, and an address the student set surviving the script.
/// </summary>
public sealed class RoomRouterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RoutedRoom_RoutesStayInside_DnsPerRoom_NoUpstream_StudentAddressKept()
    {
        HostTools.RequireTool("dnsmasq", "dnsmasq-base");
        await using var host = await QemuTestHost.StartAsync(output);
        using var loggers = new TestOutputLoggerFactory(output);
        var runner = new ProcessCommandRunner(TimeProvider.System, loggers.CreateLogger<ProcessCommandRunner>());
        using var routers = new RoomRouters(
            host.Options, new IpCommand(host.Options, runner), runner, new InterfaceSysctls(), loggers.CreateLogger<RoomRouters>());
        var (lan, dmz, lan2, dmz2) = (await host.NewNetworkAsync(), await host.NewNetworkAsync(), await host.NewNetworkAsync(), await host.NewNetworkAsync());
        var router = Router(lan, dmz, "10.0.2.10");

        // Room 2: the same addresses on its own bridges, and a DNS answer for b that room 1 must never see.
        var other = Router(lan2, dmz2, "10.0.2.99");
        var c = host.NewVm("c", lan);
        var hostForwarding = await File.ReadAllTextAsync("/proc/sys/net/ipv4/ip_forward");
        try
        {
            await routers.EnsureAsync(router, CancellationToken.None);
            var ns = routers.NamespaceName(router.Id);
            Assert.Contains("via 10.0.2.254", (await Ip("-n", ns, "route", "show", "10.0.9.0/24")).Stdout, StringComparison.Ordinal);

            // Nothing leaves the room: no default route in the router, and forwarding is on in its namespace only.
            Assert.Equal("", (await Ip("-n", ns, "route", "show", "default")).Stdout.Trim());
            Assert.Equal("1", (await Ip("netns", "exec", ns, "cat", "/proc/sys/net/ipv4/ip_forward")).Stdout.Trim());
            Assert.Equal(hostForwarding, await File.ReadAllTextAsync("/proc/sys/net/ipv4/ip_forward"));
            await routers.EnsureAsync(other, CancellationToken.None);
            await routers.EnsureAsync(router, CancellationToken.None); // unchanged: nothing to do, still serving

            // A dnsmasq that died is started again by the next ensure, though the spec is unchanged.
            var state = Path.Combine(host.Options.RuntimeDirectory, "routers", router.Id);
            var first = ProcFs.ReadPidFile(Path.Combine(state, "dnsmasq.pid"))!.Value;
            using (var dnsmasq = Process.GetProcessById(first))
            {
                dnsmasq.Kill();
                await dnsmasq.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }

            await routers.EnsureAsync(router, CancellationToken.None);
            var second = ProcFs.ReadPidFile(Path.Combine(state, "dnsmasq.pid"))!.Value;
            Assert.NotEqual(first, second);
            Assert.True(new ProcFs().IsLiveProcessOf(second, state));

            // Issue 18: a leg off its bridge (as after the bridge was deleted and made again) is put back by an unchanged
            // ensure, without a rebuild (the same dnsmasq keeps serving).
            var leg = RoomRouters.HostVeth(router.Id, dmz);
            Assert.Equal(0, (await Ip("link", "set", leg, "nomaster")).ExitCode);
            await routers.EnsureAsync(router, CancellationToken.None);
            Assert.Contains($"master {InterfaceNames.Bridge(dmz)} ", (await Ip("link", "show", leg)).Stdout, StringComparison.Ordinal);
            Assert.Equal(second, ProcFs.ReadPidFile(Path.Combine(state, "dnsmasq.pid")));
            await host.StartAndWaitForAgentAsync(c);
            await ConfigureAsync(host, c, null, null, null);

            // Issue 18: an address the student set on a NIC the room leaves unaddressed survives the platform's script.
            var own = await host.ExecAsync(c.Id, "sh", "-c", OnNic(c, "ip addr add 10.0.1.77/24 dev \"$i\""));
            Assert.Equal(0, own.ExitCode);
            await ConfigureAsync(host, c, null, null, null);
            var kept = await host.ExecAsync(c.Id, "sh", "-c", OnNic(c, "ip -4 addr show dev \"$i\""));
            Assert.Contains("10.0.1.77/24", kept.Stdout, StringComparison.Ordinal);

            // Room 1's router answers for room 1's names only, though room 2's router has the same address.
            var name = await host.ExecAsync(c.Id, "nslookup", "b", "10.0.1.1");
            Assert.True(name.ExitCode == 0, name.Stdout + name.Stderr);
            Assert.Contains("10.0.2.10", name.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("10.0.2.99", name.Stdout, StringComparison.Ordinal);

            // No upstream: a name that is not the room's is not resolved (nothing is asked outside the room).
            // The router answers (it is reachable, not timing out) and says it does not know the name.
            var outside = await host.ExecAsync(c.Id, "nslookup", "example.com", "10.0.1.1");
            Assert.NotEqual(0, outside.ExitCode);
            Assert.Matches("(?i)can't find|NXDOMAIN|REFUSED", outside.Stdout + outside.Stderr);
            Assert.DoesNotMatch("(?i)timed out|no servers could be reached", outside.Stdout + outside.Stderr);
        }
        finally
        {
            try
            {
                await host.Node.Vms.DeleteAsync(c.Id, CancellationToken.None);
            }
            finally
            {
                // The routers and networks go even when the VM's delete failed: their namespaces would outlive the test.
                await routers.DeleteAsync(router.Id, CancellationToken.None);
                await routers.DeleteAsync(other.Id, CancellationToken.None);
                foreach (var network in new[] { lan, dmz, lan2, dmz2 })
                {
                    await host.Node.Networks.DeleteAsync(network, CancellationToken.None);
                }
            }
        }

        Assert.Empty(await routers.ListAsync(CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(host.Options.RuntimeDirectory, "routers", router.Id)));
        await host.AssertNothingLeftAsync();
    }

    private static RouterSpec Router(string lan, string dmz, string addressOfB) => new(
        ShortId.New(),
        [new RouterLegSpec(lan, "10.0.1.1/24", 1450, "10.0.1.100", "10.0.1.150", Dns: true), new RouterLegSpec(dmz, "10.0.2.1/24", 1450, null, null, Dns: true)],
        [new RouterRouteSpec("10.0.9.0/24", "10.0.2.254")],
        [new RouterHostSpec("a", "10.0.1.10"), new RouterHostSpec("b", addressOfB)]);

    private static Task<(int ExitCode, string Stdout, string Stderr)> Ip(params string[] arguments) =>
        HostTools.RunAsync("ip", arguments, TimeSpan.FromSeconds(10));

    /// <summary>Runs the platform's own guest script, as the reconciler does after every boot.</summary>
    private static async Task ConfigureAsync(QemuTestHost host, VmSpec vm, string? address, string? gateway, string? nameServer)
    {
        var nics = vm.Nics.Select(n => n with { IpAddress = address }).ToList();
        var result = await host.Node.Vms.GuestExecAsync(
            vm.Id, GuestNetworkScript.Command(vm.Name, nics, gateway, nameServer), TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    /// <summary>A shell line with $i set to the guest's interface of the VM's first NIC (no udev: found by MAC).</summary>
    private static string OnNic(VmSpec vm, string command) =>
        $"for d in /sys/class/net/*; do if [ \"$(cat $d/address)\" = \"{vm.Nics[0].MacAddress}\" ]; then i=${{d##*/}}; fi; done; {command}";
}
