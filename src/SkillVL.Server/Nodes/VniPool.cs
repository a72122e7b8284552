using Microsoft.Extensions.Options;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Nodes;

/// <summary>VXLAN network identifiers for room networks: the lowest free one in the configured range.</summary>
public sealed class VniPool(IOptions<SkillVlServerOptions> options)
{
    public int First => options.Value.Overlay.VniFirst;

    public int Last => options.Value.Overlay.VniLast;

    /// <summary>How many VNIs of the pool are not in <paramref name="used"/>.</summary>
    public long Free(HashSet<int> used) => (long)Last - First + 1 - used.Count(v => v >= First && v <= Last);

    /// <summary>Takes the lowest VNI not in <paramref name="used"/> (and records it there), or null when none is left.</summary>
    public int? Allocate(HashSet<int> used)
    {
        for (var vni = First; vni <= Last; vni++)
        {
            if (used.Add(vni))
            {
                return vni;
            }
        }

        return null;
    }
}
