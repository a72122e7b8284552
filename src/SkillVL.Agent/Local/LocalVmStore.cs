using System.Text.Json;
using SkillVL.Agent.Remote;
using SkillVL.Core.Compute;

namespace SkillVL.Agent.Local;

/// <summary>
/// The node's own record of its VMs (ADR 0024): one file per VM in &lt;data&gt;/local/vms, kept across reboots (the
/// runtime directory with QEMU's own <c>vm.json</c> is on tmpfs and goes with a reboot). The agent restores from it
/// before it can reach the Server, and the local commands find VMs by room and name in it.
/// </summary>
public sealed class LocalVmStore
{
    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    public LocalVmStore(string dataDirectory, TimeProvider time)
    {
        var local = Path.Combine(dataDirectory, "local");
        PrivateFiles.EnsureDirectory(local);
        _directory = Path.Combine(local, "vms");
        PrivateFiles.EnsureDirectory(_directory);
        _time = time;
    }

    /// <summary>The Server (or a migration) handed the node this spec: remember it, keeping whether it should run.</summary>
    public void Remember(VmSpec spec)
    {
        lock (_lock)
        {
            var existing = Find(spec.Id);
            Write(existing is null ? new LocalVmRecord(spec, false, _time.GetUtcNow(), "server") : existing with { Spec = spec });
        }
    }

    /// <summary>Sets whether the VM should run; <paramref name="spec"/> replaces the known one when given.</summary>
    /// <returns>False when the VM is unknown and no spec was given.</returns>
    public bool SetShouldRun(string vmId, bool shouldRun, string by, VmSpec? spec = null)
    {
        lock (_lock)
        {
            var known = spec ?? Find(vmId)?.Spec;
            if (known is null)
            {
                return false;
            }

            Write(new LocalVmRecord(known, shouldRun, _time.GetUtcNow(), by));
            return true;
        }
    }

    public void Forget(string vmId)
    {
        lock (_lock)
        {
            File.Delete(PathOf(vmId));
        }
    }

    public LocalVmRecord? Find(string vmId)
    {
        var path = PathOf(vmId);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<LocalVmRecord>(File.ReadAllText(path), AgentChannel.Json);
        }
        catch (JsonException)
        {
            return null; // A damaged record is as good as none: the Server sends the spec again when it is back.
        }
    }

    public IReadOnlyList<LocalVmRecord> All()
    {
        return Directory.EnumerateFiles(_directory, "*.json")
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Where(Core.Identifiers.ShortId.IsValid)
            .Select(Find)
            .OfType<LocalVmRecord>()
            .OrderBy(r => r.Spec.Room, StringComparer.Ordinal)
            .ThenBy(r => r.Spec.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The VM a local caller means: <c>ROOM/VM</c> (room and machine name), a machine name alone when only one VM here
    /// has it, or a machine id. Null when none or more than one matches.
    /// </summary>
    public LocalVmRecord? Resolve(string target)
    {
        var all = All();
        var slash = target.IndexOf('/', StringComparison.Ordinal);
        var matches = slash >= 0
            ? all.Where(r => r.Spec.Room == target[..slash] && r.Spec.Name == target[(slash + 1)..]).ToList()
            : all.Where(r => r.Spec.Id == target).ToList() is { Count: 1 } byId ? byId : all.Where(r => r.Spec.Name == target).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    private void Write(LocalVmRecord record) =>
        PrivateFiles.WriteAtomically(PathOf(record.Spec.Id), JsonSerializer.Serialize(record, AgentChannel.Json));

    private string PathOf(string vmId) =>
        Core.Identifiers.ShortId.IsValid(vmId) ? Path.Combine(_directory, vmId + ".json") : throw new ArgumentException($"'{vmId}' is not a machine id.", nameof(vmId));
}
