using System.ComponentModel.DataAnnotations;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Hosting;

/// <summary>
/// Settings of the embedded Server (section "SkillVL": appsettings.json, environment variables
/// SkillVL__Name, or command-line --SkillVL:Name=value). Validated at start.
/// </summary>
public sealed class SkillVlServerOptions
{
    public const string SectionName = "SkillVL";

    /// <summary>Where the database, VM disks, templates and the admin token live. Default /var/lib/skillvl.</summary>
    [Required]
    public string DataDirectory { get; set; } = "/var/lib/skillvl";

    /// <summary>Where per-VM runtime files live (pidfile, QMP/QGA/VNC/serial sockets). Default /run/skillvl.</summary>
    [Required]
    public string RuntimeDirectory { get; set; } = "/run/skillvl";

    /// <summary>URL the API listens on. Default http://127.0.0.1:8080 (loopback only).</summary>
    [Required]
    public string Listen { get; set; } = "http://127.0.0.1:8080";

    /// <summary>
    /// Where the Server leaves the CLI's configuration (server URL + admin token) at start, as k3s leaves a
    /// kubeconfig. Empty: leave none. Default /etc/skillvl/cli.json.
    /// </summary>
    public string CliConfigPath { get; set; } = "/etc/skillvl/cli.json";

    /// <summary>Template build directories (images/*/build.sh output) imported at start.</summary>
    public List<string> TemplateSources { get; set; } = [];

    /// <summary>"auto" (probe KVM with a real boot, else TCG), "kvm" or "tcg".</summary>
    [RegularExpression("^(auto|kvm|tcg)$")]
    public string Accelerator { get; set; } = "auto";

    /// <summary>How often the reconciler looks at every machine when nothing is pending. Default 5 s.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often it looks while something converges (a VM booting, a task open). Default 500 ms.</summary>
    public TimeSpan ReconcileBusyInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a graceful stop waits for the guest before pulling the plug. Default 30 s.</summary>
    public TimeSpan GracefulStopTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An apply/start task fails when its machines have not converged within this. Default 10 min.</summary>
    public TimeSpan TaskTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A machine start that failed this many times in a row fails its task. Default 3.</summary>
    [Range(1, 100)]
    public int MaxStartFailures { get; set; } = 3;

    /// <summary>Authentication: the embedded OIDC issuer (default) or an external one such as Keycloak.</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>Where the Server keeps its state: the embedded SQLite file (default) or PostgreSQL.</summary>
    public Data.DatabaseOptions Database { get; set; } = new();

    /// <summary>Default quotas per role; a user's or course's own limits override them.</summary>
    public QuotaOptions Quotas { get; set; } = new();

    /// <summary>How much one user and one room may ask for: rooms, machines, networks, NICs, text, document size.</summary>
    public Rooms.LimitOptions Limits { get; set; } = new();

    /// <summary>
    /// How far the memory of the machines placed on a node may exceed the node's memory: 1.0 (default) never
    /// overcommits; 1.5 lets machines reserve half as much again (only sensible where guests use far less than they
    /// are given, or with swap). Placement, resizes and starts all check against node memory × this ratio.
    /// </summary>
    [Range(0.1, 10.0)]
    public double MemoryOvercommit { get; set; } = 1.0;

    /// <summary>The VXLAN overlay between nodes (VNI pool, port).</summary>
    public Nodes.OverlayOptions Overlay { get; set; } = new();

    /// <summary>The migration engine: TLS, the link figures the plan uses, polling and cleanup bounds.</summary>
    public Migrations.MigrationOptions Migration { get; set; } = new();

    /// <summary>The placement controller (ADR 0030): policy defaults, how often it evaluates, its decision log.</summary>
    public PlacementControl.PlacementOptions Placement { get; set; } = new();

    /// <summary>Check-outs (ADR 0023): the background sync's interval and rate.</summary>
    public Checkouts.CheckoutOptions Checkout { get; set; } = new();

    /// <summary>Exercise checks (ADR 0042): each check's and each run's time limit, and the least interval between runs.</summary>
    public Checks.CheckOptions Checks { get; set; } = new();

    /// <summary>"spread" (default: the node with the most free memory) or "pack" (the fullest node that fits).</summary>
    [RegularExpression("^(spread|pack)$")]
    public string SchedulingPolicy { get; set; } = "spread";

    /// <summary>
    /// A unix socket the Server also listens on for agents on this machine (e.g. in testbed namespaces, which
    /// share the filesystem but not the loopback). Empty: &lt;RuntimeDirectory&gt;/agent.sock; "none": no socket.
    /// </summary>
    public string AgentSocket { get; set; } = "";

    /// <summary>How often rooms' lifetimes are looked at (ADR 0058): a room stops at most this late. Default 30 s.</summary>
    public TimeSpan RoomLifetimeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A running VM whose QEMU uses less CPU than this, in percent of one core, between two reports is idle (ADR 0061; with
    /// no console open, for a room's <c>lifetime.idleStopAfter</c>, it is stopped). Default 15: an idle guest under KVM uses
    /// well under 1 %, but under TCG the timer interrupts alone cost the idle tiny guest about 6 % here; a guest compiling,
    /// serving or running a loop uses a whole core.
    /// </summary>
    public double IdleCpuPercent { get; set; } = 15;

    /// <summary>A node whose agent sent nothing for this long is unreachable. Default 15 s (3 heartbeats).</summary>
    public TimeSpan NodeHeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The agent socket path in effect, or null.</summary>
    public string? AgentSocketPath => AgentSocket switch
    {
        "none" => null,
        "" => Path.Combine(RuntimeDirectory, "agent.sock"),
        _ => AgentSocket,
    };

    /// <summary>Largest template upload (POST /api/v1/templates) in bytes. Default 64 GiB.</summary>
    [Range(1, long.MaxValue)]
    public long MaxTemplateUploadBytes { get; set; } = 64L << 30;

    /// <summary>Templates: the largest virtual size a template's disk may declare.</summary>
    public Templates.TemplateOptions Templates { get; set; } = new();

    /// <summary>The Server's own log file: where, how large, how many (rotation). Default &lt;data&gt;/logs/server.log, 10 MiB × 5.</summary>
    public Logging.LogFileOptions LogFile { get; set; } = new();

    /// <summary>The experiment runs the web UI's Experiments page reads (ADR 0029). Default &lt;data&gt;/experiments.</summary>
    public Experiments.ExperimentsOptions Experiments { get; set; } = new();

    /// <summary>SPICE for remote-viewer: where each .vv file's listener opens (ADR 0062).</summary>
    public Consoles.SpiceFileOptions SpiceFile { get; set; } = new();

    /// <summary>The built web UI (web/dist) served at "/"; empty or missing: no UI, the API alone.</summary>
    public string WebRoot { get; set; } = "";
}
