using System.Diagnostics;
using System.Text.Json;
using SkillVL.Core.Compute;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Networking;
using SkillVL.Core.Templates;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests;

/// <summary>
/// One test's private QEMU node: its own instance id, data and runtime directories in a temp dir, the tiny
/// template imported. Dispose reaps whatever the test left (QEMU by pid, interfaces by this instance's alias)
/// so a failing test never leaks into the next; tests assert cleanliness themselves with <see cref="AssertNothingLeftAsync"/>.
/// </summary>
public sealed class QemuTestHost : IAsyncDisposable
{
    public static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(90);

    private readonly TempDirectory _root;
    private readonly ITestOutputHelper _output;
    private readonly (Networking.Relay.RelayTimings, Action<Action>?)? _streamRelay;

    private QemuTestHost(
        TempDirectory root,
        QemuDriverOptions options,
        ITestOutputHelper output,
        TemplateImage template,
        string kernelVersion,
        (Networking.Relay.RelayTimings, Action<Action>?)? streamRelay)
    {
        _streamRelay = streamRelay;
        _root = root;
        Options = options;
        _output = output;
        Template = template;
        KernelVersion = kernelVersion;
        Node = CreateNode();
    }

    public QemuDriverOptions Options { get; }

    public QemuNode Node { get; private set; }

    public TemplateImage Template { get; }

    /// <summary>uname -r of the tiny guest, from its template.json.</summary>
    public string KernelVersion { get; }

    public string Alias => "skillvl:" + Options.InstanceId;

    /// <param name="vmNetwork">bridge, or stream (ADR 0052: no bridge, no tap; QEMU -netdev stream into the node's switch).</param>
    /// <param name="streamRelay">Stream mode: the relay's clocks and the namespace its sockets are made in.</param>
    /// <param name="configure">Changes to the node's options before it is made (e.g. RBD disks, ADR 0055).</param>
    public static async Task<QemuTestHost> StartAsync(
        ITestOutputHelper output,
        string accelerator = "tcg",
        string vmNetwork = QemuDriverOptions.BridgeNetworking,
        (Networking.Relay.RelayTimings, Action<Action>?)? streamRelay = null,
        Action<QemuDriverOptions>? configure = null)
    {
        HostTools.RequireRoot();
        HostTools.RequireTool("qemu-system-x86_64", "qemu-system-x86");
        HostTools.RequireTool("qemu-img", "qemu-utils");
        HostTools.RequireTool("ip", "iproute2");
        var image = await new TinyImageFixture().EnsureAsync();
        var root = new TempDirectory("svl");
        var options = new QemuDriverOptions
        {
            DataDirectory = root.Sub("data"),
            RuntimeDirectory = root.Sub("run"),
            InstanceId = "it" + ShortId.New()[..8],
            Accelerator = accelerator,
            // Two cores shared by concurrent TCG guests: leave the guest time to react to ACPI.
            GracefulStopTimeout = TimeSpan.FromSeconds(30),
            VmNetwork = vmNetwork,
        };
        configure?.Invoke(options);
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(image, "template.json")));
        var kernelVersion = manifest.RootElement.GetProperty("kernelVersion").GetString()!;
        var node = QemuNode.Create(options, new TestOutputLoggerFactory(output), TimeProvider.System);
        TemplateImage template;
        try
        {
            template = await node.Templates.ImportAsync(image, CancellationToken.None);
        }
        finally
        {
            await node.DisposeAsync();
        }

        return new QemuTestHost(root, options, output, template, kernelVersion, streamRelay);
    }

    /// <summary>Simulates a SkillVL restart: drops this node (VMs keep running) and wires a new one from the same directories.</summary>
    public async Task RestartNodeAsync()
    {
        await Node.DisposeAsync();
        Node = CreateNode();
    }

    public async Task<string> NewNetworkAsync(int mtu = 1450)
    {
        var id = ShortId.New();
        await Node.Networks.EnsureAsync(new NetworkSpec(id, mtu), CancellationToken.None);
        return id;
    }

    public VmSpec NewVm(string name, params string[] networkIds)
    {
        var nics = networkIds.Select(network =>
        {
            var id = ShortId.New();
            var mac = "52:54:00:" + string.Join(':', Enumerable.Range(0, 3).Select(i => id.Substring(i * 2, 2)));
            return new NicSpec(id, network, mac, 1450, null);
        }).ToList();
        return new VmSpec(ShortId.New(), name, Template.Sha256, 1, 128L * 1024 * 1024, nics, "hash-" + ShortId.New());
    }

    /// <summary>Starts the VM and waits (bounded) until its guest agent answers; returns the time that took.</summary>
    public async Task<TimeSpan> StartAndWaitForAgentAsync(VmSpec spec)
    {
        var stopwatch = Stopwatch.StartNew();
        await Node.Vms.StartAsync(spec, CancellationToken.None);
        await WaitForAgentAsync(spec.Id);
        _output.WriteLine($"VM {spec.Name} ({spec.Id}): start to agent in {stopwatch.Elapsed.TotalSeconds:0.00} s");
        return stopwatch.Elapsed;
    }

    public async Task WaitForAgentAsync(string vmId)
    {
        try
        {
            await Bounded.WaitUntilAsync(
                () => Node.Vms.GuestPingAsync(vmId, TimeSpan.FromSeconds(2), CancellationToken.None),
                BootTimeout,
                $"the guest agent of VM {vmId}",
                TimeSpan.FromMilliseconds(200));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n--- serial.log ---\n{SerialLog(vmId)}", e);
        }
    }

    /// <summary>Gives the guest's interface of the VM's first NIC an address and brings it up (no udev in the tiny guest:
    /// the interface is found by the MAC the NIC was given).</summary>
    public async Task ConfigureNicAsync(VmSpec vm, string address)
    {
        var script =
            $"for d in /sys/class/net/*; do if [ \"$(cat $d/address)\" = \"{vm.Nics[0].MacAddress}\" ]; then " +
            $"i=${{d##*/}}; ip addr add {address} dev $i && ip link set dev $i up && echo $i; fi; done";
        var result = await ExecAsync(vm.Id, "sh", "-c", script);
        Assert.True(result.ExitCode == 0 && result.Stdout.Trim().Length > 0, result.Stdout + result.Stderr);
    }

    public Task<GuestExecResult> ExecAsync(string vmId, params string[] command) =>
        ExecAsync(vmId, TimeSpan.FromSeconds(30), command);

    public async Task<GuestExecResult> ExecAsync(string vmId, TimeSpan timeout, params string[] command)
    {
        var result = await Node.Vms.GuestExecAsync(vmId, command, timeout, CancellationToken.None);
        _output.WriteLine($"exec {string.Join(' ', command)} -> {result.ExitCode}: {result.Stdout.Trim()} {result.Stderr.Trim()}");
        return result;
    }

    /// <summary>Writes <paramref name="mebibytes"/> MiB of random data to <c>/root/name</c>, syncs, and returns its
    /// SHA-256. A TCG guest beside other VM tests writes 64 MiB in well over 30 s (CI of stop 27: killed at 30 s), so
    /// the write may take 30 s plus 2 s per MiB.</summary>
    public async Task<string> WriteDataAsync(string vmId, string name, int mebibytes)
    {
        var result = await ExecAsync(vmId, TimeSpan.FromSeconds(30 + 2 * mebibytes), "sh", "-c",
            $"dd if=/dev/urandom of=/root/{name} bs=1M count={mebibytes} 2>/dev/null && sync && sha256sum /root/{name}");
        Assert.Equal(0, result.ExitCode);
        return result.Stdout.Split(' ')[0];
    }

    /// <summary>The SHA-256 of <c>/root/name</c> as on the disk: the page cache is dropped first so the checksum reads
    /// what is on the (moved) disk, not what RAM remembers.</summary>
    public async Task<string> ChecksumAsync(string vmId, string name)
    {
        var result = await ExecAsync(vmId, TimeSpan.FromSeconds(120), "sh", "-c",
            $"sync && echo 3 > /proc/sys/vm/drop_caches && sha256sum /root/{name}");
        Assert.Equal(0, result.ExitCode);
        return result.Stdout.Split(' ')[0];
    }

    public async Task<VmObservation?> ObserveAsync(string vmId) =>
        (await Node.Vms.ListAsync(CancellationToken.None)).SingleOrDefault(o => o.Id == vmId);

    public string SerialLog(string vmId)
    {
        var path = Node.Vms.GetConsoleEndpoints(vmId).SerialLog;
        return File.Exists(path) ? File.ReadAllText(path) : "(no serial.log)";
    }

    public int? QemuPid(string vmId)
    {
        var pidFile = Path.Combine(Options.RuntimeDirectory, "vms", vmId, "qemu.pid");
        return File.Exists(pidFile) ? int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>No QEMU of this test runs, no interface of this instance exists, no VM directory is left.</summary>
    public async Task AssertNothingLeftAsync()
    {
        Assert.Empty(ProcessReaper.ProcessesMentioning(_root.Path));
        Assert.Empty(await HostInterfaces.WithAliasAsync(Alias));
        foreach (var directory in new[] { Path.Combine(Options.RuntimeDirectory, "vms"), Path.Combine(Options.DataDirectory, "vms") })
        {
            Assert.True(!Directory.Exists(directory) || !Directory.EnumerateFileSystemEntries(directory).Any(), $"{directory} is not empty");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        var killed = await ProcessReaper.KillAllUnderAsync(_root.Path);
        if (killed > 0)
        {
            _output.WriteLine($"reaped {killed} QEMU process(es) the test left");
        }

        await HostInterfaces.DeleteWithAliasAsync(Alias);
        _root.Dispose();
    }

    private QemuNode CreateNode() => QemuNode.Create(Options, new TestOutputLoggerFactory(_output), TimeProvider.System, _streamRelay);
}
