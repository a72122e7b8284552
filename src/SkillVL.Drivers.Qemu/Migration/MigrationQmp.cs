using System.Globalization;
using System.Text.Json.Nodes;
using SkillVL.Core.Compute;
using SkillVL.Core.Migration;

namespace SkillVL.Drivers.Qemu.Migration;

/// <summary>
/// The QMP side of a migration, pure: the arguments of the commands the driver sends and the mapping of
/// <c>query-migrate</c>/<c>query-jobs</c> answers to the contract's types. No I/O, so every mapping is pinned by
/// unit tests with answers captured from QEMU 7.2.
/// </summary>
public static class MigrationQmp
{
    /// <summary>The mirror's job id on the source.</summary>
    public const string MirrorJobId = "mig-disk";

    /// <summary>The source's block node of the target's NBD export.</summary>
    public const string TargetNode = "mig-target";

    /// <summary>The target's block-export id.</summary>
    public const string ExportId = "mig-export";

    /// <summary>TLS credentials object on the target (server end of migration and NBD).</summary>
    public const string ServerTlsObject = "mig-tls-server";

    /// <summary>TLS credentials object on the source (client end).</summary>
    public const string ClientTlsObject = "mig-tls-client";

    /// <summary>
    /// Pages per GiB of guest RAM that <c>calc-dirty-rate</c> hashes (QEMU accepts 128–10000; its default 512 leaves a
    /// 128 MiB guest with 64 samples, i.e. 2 MiB per changed page). 8× the default costs a few MiB of hashing per GiB.
    /// </summary>
    public const int DirtyRateSamplePages = 4096;

    /// <summary>
    /// <c>calc-dirty-rate</c> in <c>page-sampling</c> mode: QEMU hashes <see cref="DirtyRateSamplePages"/> random pages
    /// per GiB, waits <paramref name="seconds"/>, hashes them again and scales the changed fraction to the RAM size.
    /// That is the rate of distinct pages whose content changed, the figure pre-copy has to resend. <c>dirty-bitmap</c>
    /// mode is not used: on QEMU 7.2 with TCG it crashes QEMU (segfault, seen on this project's test machine), and
    /// <c>dirty-ring</c> needs KVM. QEMU 7.2 takes whole seconds only (<c>calc-time-unit</c> came in 8.2).
    /// </summary>
    public static JsonObject CalcDirtyRate(long seconds) => new()
    {
        ["calc-time"] = seconds,
        ["sample-pages"] = DirtyRateSamplePages,
        ["mode"] = "page-sampling",
    };

    /// <summary>
    /// The rate of a <c>query-dirty-rate</c> answer once it is <c>measured</c> for the sample this driver asked for
    /// (<paramref name="seconds"/>, <see cref="DirtyRateSamplePages"/>); null while it is not (still measuring, or an
    /// earlier measurement's answer). QEMU reports whole MiB/s (<c>dirty-rate</c>, "MB/s" in its schema, computed
    /// from the RAM size in MiB).
    /// </summary>
    public static DataRate? DirtyRate(JsonNode? answer, long seconds)
    {
        if (answer?["status"]?.GetValue<string>() != "measured"
            || answer["calc-time"]?.GetValue<long>() != seconds
            || answer["sample-pages"]?.GetValue<long>() != DirtyRateSamplePages
            || answer["dirty-rate"] is not { } rate)
        {
            return null;
        }

        return DataRate.FromMebibytesPerSecond(Math.Max(0, rate.GetValue<long>()));
    }

    /// <summary><c>object-add</c> of a <c>tls-creds-x509</c> object reading the node's certificate directory. Both ends
    /// verify the peer (the server requires a client certificate from the platform CA).</summary>
    public static JsonObject TlsCredentials(string id, string directory, bool server) => new()
    {
        ["qom-type"] = "tls-creds-x509",
        ["id"] = id,
        ["dir"] = directory,
        ["endpoint"] = server ? "server" : "client",
        ["verify-peer"] = true,
    };

    /// <summary><c>migrate-set-capabilities</c>: what must be equal on both ends (multifd, post-copy) and the
    /// source-only ones (xbzrle, auto-converge; the target ignores them).</summary>
    public static JsonObject Capabilities(MigrationParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var capabilities = new JsonArray
        {
            Capability("multifd", parameters.MultifdChannels > 0),
            Capability("xbzrle", parameters.Xbzrle),
            Capability("auto-converge", parameters.AutoConverge),
            Capability("postcopy-ram", parameters.PostCopy),
        };
        return new JsonObject { ["capabilities"] = capabilities };
    }

    /// <summary><c>migrate-set-parameters</c> for the source (all of them) or the target (only what it uses).</summary>
    public static JsonObject Parameters(MigrationParameters parameters, bool source, string? tlsObject, string? tlsHostname)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var result = new JsonObject();
        if (parameters.MultifdChannels > 0)
        {
            result["multifd-channels"] = parameters.MultifdChannels;
            result["multifd-compression"] = parameters.Compression == MigrationCompression.Zstd ? "zstd" : "none";
            if (parameters.Compression == MigrationCompression.Zstd)
            {
                result["multifd-zstd-level"] = parameters.CompressionLevel;
            }
        }

        // An empty string turns TLS off (QEMU's convention), so a VM migrated before with TLS can go without.
        result["tls-creds"] = tlsObject ?? "";
        if (source)
        {
            result["max-bandwidth"] = parameters.MaxBandwidth.BytesPerSecond;
            result["downtime-limit"] = (long)Math.Ceiling(parameters.DowntimeLimit.TotalMilliseconds);
            result["throttle-trigger-threshold"] = parameters.ThrottleTriggerPercent;
            if (parameters.Xbzrle)
            {
                result["xbzrle-cache-size"] = parameters.XbzrleCacheBytes;
            }

            result["tls-hostname"] = tlsHostname ?? "";
        }

        return result;
    }

    /// <summary>The <c>tcp:host:port</c> URI of the target's incoming migration (IPv6 in brackets).</summary>
    public static string Uri(string host, int port) =>
        "tcp:" + (host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>A unix-socket migration URI (the tunnel's sockets).</summary>
    public static string UnixUri(string path) => "unix:" + path;

    /// <summary><c>nbd-server-start</c> on the target, on a unix socket behind the node's tunnel (no TLS in QEMU: the
    /// tunnel encrypts).</summary>
    public static JsonObject NbdServerStartUnix(string path) => new()
    {
        ["addr"] = new JsonObject { ["type"] = "unix", ["data"] = new JsonObject { ["path"] = path } },
    };

    /// <summary>The source's <c>blockdev-add</c> of the target's export reached through the node's tunnel socket.</summary>
    public static JsonObject TargetBlockdevUnix(string path, string exportName) => new()
    {
        ["driver"] = "nbd",
        ["node-name"] = TargetNode,
        ["server"] = new JsonObject { ["type"] = "unix", ["path"] = path },
        ["export"] = exportName,
    };

    /// <summary><c>nbd-server-start</c> on the target.</summary>
    public static JsonObject NbdServerStart(string host, int port, string? tlsObject)
    {
        var arguments = new JsonObject
        {
            ["addr"] = new JsonObject
            {
                ["type"] = "inet",
                ["data"] = new JsonObject { ["host"] = host, ["port"] = port.ToString(CultureInfo.InvariantCulture) },
            },
        };
        if (tlsObject is not null)
        {
            arguments["tls-creds"] = tlsObject;
        }

        return arguments;
    }

    /// <summary><c>block-export-add</c> of the VM's disk node, writable, on the target.</summary>
    public static JsonObject ExportAdd(string exportName) => new()
    {
        ["type"] = "nbd",
        ["id"] = ExportId,
        ["node-name"] = CommandLine.QemuCommandLineBuilder.DiskNode,
        ["name"] = exportName,
        ["writable"] = true,
    };

    /// <summary><c>blockdev-add</c> of the target's export on the source. No reconnect: if the link breaks, the
    /// mirror fails at once and the migration is cancelled (the source keeps the only valid copy).</summary>
    public static JsonObject TargetBlockdev(IncomingMigration target, string? tlsObject)
    {
        ArgumentNullException.ThrowIfNull(target);
        var arguments = new JsonObject
        {
            ["driver"] = "nbd",
            ["node-name"] = TargetNode,
            ["server"] = new JsonObject
            {
                ["type"] = "inet",
                ["host"] = target.Host,
                ["port"] = target.NbdPort.ToString(CultureInfo.InvariantCulture),
            },
            ["export"] = target.NbdExport,
        };
        if (tlsObject is not null)
        {
            arguments["tls-creds"] = tlsObject;
            if (target.TlsHostname is not null)
            {
                arguments["tls-hostname"] = target.TlsHostname;
            }
        }

        return arguments;
    }

    /// <summary><c>blockdev-mirror</c> of the VM's disk into the target's export. <c>top</c> copies the overlay only
    /// (the target backs its disk with the same template); <c>full</c> copies the whole chain. The job is kept
    /// after it ends (<c>auto-dismiss: false</c>) so a failure can be read back with its error.</summary>
    public static JsonObject Mirror(DiskTransfer disk, DataRate? speed) => new()
    {
        ["job-id"] = MirrorJobId,
        ["device"] = CommandLine.QemuCommandLineBuilder.DiskNode,
        ["target"] = TargetNode,
        ["sync"] = disk == DiskTransfer.Overlay ? "top" : "full",
        ["speed"] = speed?.BytesPerSecond ?? 0,
        ["auto-dismiss"] = false,
    };

    /// <summary>The mirror job in a <c>query-jobs</c> answer, or null.</summary>
    public static MirrorJob? FindMirror(JsonNode? queryJobs)
    {
        foreach (var job in queryJobs as JsonArray ?? [])
        {
            if (job?["id"]?.GetValue<string>() == MirrorJobId)
            {
                return new MirrorJob(
                    job["status"]?.GetValue<string>() ?? "",
                    job["current-progress"]?.GetValue<long>() ?? 0,
                    job["total-progress"]?.GetValue<long>() ?? 0,
                    job["error"]?.GetValue<string>());
            }
        }

        return null;
    }

    /// <summary>
    /// Maps one poll (the mirror job and <c>query-migrate</c>) to the contract's status.
    /// </summary>
    /// <param name="mirror">The mirror job, null when none exists.</param>
    /// <param name="queryMigrate">The <c>query-migrate</c> answer.</param>
    /// <param name="elapsed">Time since the migration started (disk phase included).</param>
    /// <param name="ramStarted">Whether <c>migrate</c> was issued for this migration (a <c>query-migrate</c> status
    /// of an earlier migration of the same process is not this one's).</param>
    public static OutgoingMigrationStatus Status(MirrorJob? mirror, JsonNode? queryMigrate, TimeSpan elapsed, bool ramStarted)
    {
        var diskDone = mirror?.Done ?? 0;
        var diskTotal = mirror?.Total ?? 0;
        var status = ramStarted ? queryMigrate?["status"]?.GetValue<string>() ?? "none" : "none";
        var ram = ramStarted ? RamProgress(queryMigrate, elapsed) : null;
        var transferred = queryMigrate?["ram"]?["transferred"]?.GetValue<long>() ?? 0;

        if (mirror is { Error: { } mirrorError })
        {
            return new OutgoingMigrationStatus(OutgoingMigrationState.Failed, diskDone, diskTotal, ram, null, null, transferred,
                "The disk mirror to the target failed: " + mirrorError);
        }

        switch (status)
        {
            case "completed":
                return new OutgoingMigrationStatus(
                    OutgoingMigrationState.Completed, diskDone, diskTotal, ram,
                    Milliseconds(queryMigrate?["downtime"]), Milliseconds(queryMigrate?["setup-time"]), transferred, null);
            case "failed":
                return new OutgoingMigrationStatus(OutgoingMigrationState.Failed, diskDone, diskTotal, ram, null, null, transferred,
                    "QEMU's migration failed: " + (queryMigrate?["error-desc"]?.GetValue<string>() ?? "no reason given"));
            case "cancelled":
                return new OutgoingMigrationStatus(OutgoingMigrationState.Cancelled, diskDone, diskTotal, ram, null, null, transferred, null);
            case "postcopy-active" or "postcopy-paused" or "postcopy-recover":
                return new OutgoingMigrationStatus(OutgoingMigrationState.PostCopy, diskDone, diskTotal, ram, null, null, transferred, null);
            case "setup" or "active" or "pre-switchover" or "device" or "wait-unplug" or "cancelling":
                return new OutgoingMigrationStatus(OutgoingMigrationState.MigratingRam, diskDone, diskTotal, ram, null, null, transferred, null);
        }

        if (mirror is null)
        {
            return new OutgoingMigrationStatus(OutgoingMigrationState.None, 0, 0, null, null, null, 0, null);
        }

        if (mirror.Status is "concluded" or "null" or "aborting")
        {
            // Ended without an error but before the RAM phase: someone cancelled it.
            return new OutgoingMigrationStatus(OutgoingMigrationState.Cancelled, diskDone, diskTotal, null, null, null, 0, null);
        }

        var state = mirror.Status is "ready" or "standby" ? OutgoingMigrationState.DiskReady : OutgoingMigrationState.MirroringDisk;
        return new OutgoingMigrationStatus(state, diskDone, diskTotal, null, null, null, 0, null);
    }

    /// <summary>The RAM phase's progress from <c>query-migrate</c>, or null before QEMU reports RAM figures.</summary>
    public static MigrationProgress? RamProgress(JsonNode? queryMigrate, TimeSpan elapsed)
    {
        var ram = queryMigrate?["ram"];
        if (ram is null)
        {
            return null;
        }

        var pageSize = ram["page-size"]?.GetValue<long>() ?? 4096;
        var status = queryMigrate?["status"]?.GetValue<string>();
        return new MigrationProgress
        {
            Iteration = (int)(ram["dirty-sync-count"]?.GetValue<long>() ?? 0),
            MemoryBytes = ram["total"]?.GetValue<long>() ?? 0,
            RemainingBytes = ram["remaining"]?.GetValue<long>() ?? 0,
            TransferredBytes = ram["transferred"]?.GetValue<long>() ?? 0,
            TransferRate = DataRate.FromMegabitsPerSecond(ram["mbps"]?.GetValue<double>() ?? 0),
            DirtyRate = new DataRate((long)((ram["dirty-pages-rate"]?.GetValue<double>() ?? 0) * pageSize)),
            Elapsed = elapsed,
            ExpectedDowntime = Milliseconds(queryMigrate?["expected-downtime"]),
            ThrottlePercent = (int)(queryMigrate?["cpu-throttle-percentage"]?.GetValue<long>() ?? 0),
            PostCopyActive = status is "postcopy-active",
        };
    }

    private static TimeSpan? Milliseconds(JsonNode? value) =>
        value is null ? null : TimeSpan.FromMilliseconds(value.GetValue<double>());

    private static JsonObject Capability(string name, bool state) => new() { ["capability"] = name, ["state"] = state };
}

/// <summary>The mirror job as <c>query-jobs</c> shows it.</summary>
/// <param name="Status">created, running, ready, standby, waiting, pending, aborting, concluded, null.</param>
/// <param name="Done">current-progress (bytes copied).</param>
/// <param name="Total">total-progress (bytes to copy so far).</param>
/// <param name="Error">The job's error once it ended with one.</param>
public sealed record MirrorJob(string Status, long Done, long Total, string? Error);
