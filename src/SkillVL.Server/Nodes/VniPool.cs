using Microsoft.Extensions.Options;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Nodes;

/// <summary>VXLAN network identifiers for room networks: the lowest free one in the configured range.</summary>
public sealed class VniPool(IOptions<SkillVlServerOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _allocating = new(1, 1);

    public int First => options.Value.Overlay.VniFirst;

    public int Last => options.Value.Overlay.VniLast;

    /// <summary>
    /// Held from reading the VNIs in use until the new networks are saved, so two rooms applied at the same time
    /// never pick the same VNI (the unique index would refuse the second).
    /// </summary>
    public async Task<IDisposable> LockAsync(CancellationToken cancellationToken)
    {
        await _allocating.WaitAsync(cancellationToken);
        return new Release(_allocating);
    }

    public void Dispose() => _allocating.Dispose();

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

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
