using SkillVL.Core.Identifiers;

namespace SkillVL.Server.Hosting;

/// <summary>
/// The installation's id, the Server's own (ADR 0036): kept in &lt;data&gt;/instance-id, made on first use. The platform CA
/// is named after it and the embedded node tags its interfaces with it.
/// </summary>
public static class InstanceIdentity
{
    public static string LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "instance-id");
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
        {
            return existing;
        }

        var id = ShortId.New();
        File.WriteAllText(path, id + "\n");
        return id;
    }
}
