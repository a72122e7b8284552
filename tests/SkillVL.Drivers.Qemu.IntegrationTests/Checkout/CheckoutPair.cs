using System.Diagnostics;
using System.Globalization;
using SkillVL.Core.Compute;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Migration;
using SkillVL.Drivers.Qemu.IntegrationTests.Migration;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Checkout;

/// <summary>
/// Two QEMU nodes on this host for the check-out tests: <see cref="Server"/> (where the VM starts and its retained copy
/// stays) and <see cref="Client"/> (the student's machine), with node certificates from one test CA, and the steps the
/// Server will run in order (check-out, check-in) through the drivers. Migrations go through the node tunnel.
/// </summary>
public sealed class CheckoutPair : IAsyncDisposable
{
    public const string Loopback = "127.0.0.1";
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(180);

    private readonly ITestOutputHelper _output;
    private readonly TestNodeCertificates _certificates;

    private CheckoutPair(QemuTestHost server, QemuTestHost client, TestNodeCertificates certificates, ITestOutputHelper output)
    {
        Server = server;
        Client = client;
        _certificates = certificates;
        _output = output;
    }

    public QemuTestHost Server { get; }

    public QemuTestHost Client { get; }

    public static async Task<CheckoutPair> StartAsync(ITestOutputHelper output)
    {
        var server = await QemuTestHost.StartAsync(output);
        var client = await QemuTestHost.StartAsync(output);
        var certificates = new TestNodeCertificates();
        certificates.WriteNode(server.Node.Migrations.TlsDirectory, Loopback);
        certificates.WriteNode(client.Node.Migrations.TlsDirectory, Loopback);
        return new CheckoutPair(server, client, certificates, output);
    }

    /// <summary>The tunnel at 50 Mbit/s (what the policy picks on a slow link); the engine's cap is the link's.</summary>
    public static MigrationParameters Parameters(VmSpec spec) => MigrationPolicy.Plan(
        new LinkMeasurement(DataRate.FromMegabitsPerSecond(50), TimeSpan.FromMilliseconds(1)),
        new VmMigrationProfile { MemoryBytes = spec.MemoryBytes, TargetHasBase = true },
        new MigrationLimits(),
        MigrationFeatures.Qemu72 | MigrationFeatures.Tunnel) with { MaxBandwidth = DataRate.FromMebibytesPerSecond(200) };

    /// <summary>Check-out as the Server will run it: a live move that keeps the server's disk, tracking on the client
    /// starting before its guest resumes.</summary>
    public async Task CheckOutAsync(VmSpec spec)
    {
        var parameters = Parameters(spec);
        Assert.Equal(MigrationTransport.Tunnel, parameters.Transport);
        var migrationId = ShortId.New();
        var incoming = await Client.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(migrationId, spec, Loopback, DiskTransfer.Overlay, 0, parameters, Tls: true), CancellationToken.None);
        await Server.Node.Migrations.StartDiskMirrorAsync(
            new OutgoingMigrationRequest(migrationId, spec.Id, incoming, DiskTransfer.Overlay, parameters, Tls: true), CancellationToken.None);
        await WaitForStateAsync(Server, spec.Id, OutgoingMigrationState.DiskReady);
        await Server.Node.Migrations.StartRamMigrationAsync(spec.Id, CancellationToken.None);
        await WaitForStateAsync(Server, spec.Id, OutgoingMigrationState.Completed);
        await Server.Node.Migrations.CompleteOutgoingAsync(spec.Id, CancellationToken.None);
        await Client.Node.Checkouts.StartTrackingAsync(spec.Id, CancellationToken.None);
        await Client.Node.Migrations.CompleteIncomingAsync(spec.Id, CancellationToken.None);
        await Server.Node.Checkouts.RetainAsync(spec.Id, CancellationToken.None);
        await Client.WaitForAgentAsync(spec.Id);
    }

    /// <summary>Check-in: back to the server into its retained copy, only the changed clusters plus RAM.</summary>
    public async Task<OutgoingMigrationStatus> CheckInAsync(VmSpec spec)
    {
        var parameters = Parameters(spec);
        var migrationId = ShortId.New();
        var incoming = await Server.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(migrationId, spec, Loopback, DiskTransfer.Incremental, 0, parameters, Tls: true), CancellationToken.None);
        await Client.Node.Migrations.StartDiskMirrorAsync(
            new OutgoingMigrationRequest(migrationId, spec.Id, incoming, DiskTransfer.Incremental, parameters, Tls: true), CancellationToken.None);
        await WaitForStateAsync(Client, spec.Id, OutgoingMigrationState.DiskReady);
        await Client.Node.Migrations.StartRamMigrationAsync(spec.Id, CancellationToken.None);
        var completed = await WaitForStateAsync(Client, spec.Id, OutgoingMigrationState.Completed);
        await Client.Node.Migrations.CompleteOutgoingAsync(spec.Id, CancellationToken.None);
        await Server.Node.Migrations.CompleteIncomingAsync(spec.Id, CancellationToken.None);
        await Client.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        return completed;
    }

    public string ClientDisk(string vmId) => Path.Combine(Client.Options.DataDirectory, "vms", vmId, "disk.qcow2");

    public string RetainedDisk(string vmId) => Path.Combine(Server.Options.DataDirectory, "retained", vmId, "disk.qcow2");

    /// <summary><c>qemu-img compare -U</c>: 0 when the guest sees the same content on both (backing files included).</summary>
    public async Task<(int ExitCode, string Output)> CompareAsync(string first, string second)
    {
        using var process = Process.Start(new ProcessStartInfo("qemu-img", ["compare", "-U", first, second])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("qemu-img");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        var text = (await stdout + await stderr).Trim();
        _output.WriteLine($"qemu-img compare -> {process.ExitCode}: {text}");
        return (process.ExitCode, text);
    }



    /// <summary>Freezes (or thaws) the guest's root filesystem: nothing reaches its disk meanwhile, so a sync's copy and
    /// the client's disk can be compared byte for byte.</summary>
    public static async Task FreezeAsync(QemuTestHost host, string vmId, bool freeze)
    {
        var result = await host.ExecAsync(vmId, "sh", "-c", freeze ? "sync && fsfreeze --freeze /" : "fsfreeze --unfreeze /");
        Assert.Equal(0, result.ExitCode);
    }

    public static async Task<int> StartCounterAsync(QemuTestHost host, string vmId)
    {
        var result = await host.ExecAsync(vmId, "sh", "-c",
            "(i=0; while :; do i=$((i+1)); echo $i > /dev/shm/counter 2>/dev/null || echo $i > /run/counter; sleep 0.1; done) </dev/null >/dev/null 2>&1 & echo $!");
        return int.Parse(result.Stdout.Trim(), CultureInfo.InvariantCulture);
    }

    public static async Task<long> CounterAsync(QemuTestHost host, string vmId, int pid)
    {
        var result = await host.ExecAsync(vmId, "sh", "-c", $"kill -0 {pid} && (cat /dev/shm/counter 2>/dev/null || cat /run/counter)");
        Assert.Equal(0, result.ExitCode);
        return long.Parse(result.Stdout.Trim(), CultureInfo.InvariantCulture);
    }

    public static async Task<string> BootIdAsync(QemuTestHost host, string vmId) =>
        (await host.ExecAsync(vmId, "cat", "/proc/sys/kernel/random/boot_id")).Stdout.Trim();

    public async Task<OutgoingMigrationStatus> WaitForStateAsync(QemuTestHost source, string vmId, OutgoingMigrationState wanted)
    {
        OutgoingMigrationStatus? last = null;
        await Bounded.WaitUntilAsync(async () =>
        {
            last = await source.Node.Migrations.GetOutgoingStatusAsync(vmId, CancellationToken.None);
            if (last.State is OutgoingMigrationState.Failed or OutgoingMigrationState.Cancelled)
            {
                throw new InvalidOperationException($"The migration ended {last.State}: {last.Error}");
            }

            return last.State == wanted;
        }, PhaseTimeout, $"migration state {wanted}", TimeSpan.FromMilliseconds(100));
        _output.WriteLine($"{wanted}: disk {last!.DiskBytesDone}/{last.DiskBytesTotal}, RAM {last.RamBytesTotalTransferred}, tunnel {last.TunnelBytes}");
        return last;
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        _certificates.Dispose();
    }
}
