using SkillVL.Core.Api.Migrations;

namespace SkillVL.Experiments;

/// <summary>Turns the Server's view of a run's migrations into one <see cref="RunMeasurement"/>.</summary>
public static class MigrationMeasurement
{
    /// <summary>Several VMs' moves as one run: succeeded when all did (else the first other outcome); times are the
    /// slowest VM's (the run ends when the last guest runs on the target), bytes the sums.</summary>
    /// <param name="linkBytes">Bytes through the link's tap (testbed); null where the runner cannot count them (existing nodes).</param>
    public static RunMeasurement Of(IReadOnlyList<MigrationInfo> migrations, long? linkBytes)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        var failed = migrations.FirstOrDefault(m => m.State != MigrationStates.Succeeded);
        var errors = string.Join("; ", migrations.Where(m => m.Error is not null).Select(m => $"{m.Machine.Name}: {m.Error}"));
        return new RunMeasurement(
            failed?.State ?? RunMeasurement.Succeeded,
            migrations.Max(m => m.Metrics.TotalTimeMs / 1000),
            migrations.Max(m => m.Metrics.DowntimeMs),
            migrations.Max(m => m.Metrics.ProbeDowntimeMs),
            linkBytes,
            Sum(migrations.Select(m => m.Metrics.RamBytes)),
            Sum(migrations.Select(m => m.Metrics.DiskBytes)),
            Sum(migrations.Select(m => m.Metrics.BaseBytes)),
            errors.Length == 0 ? null : errors)
        {
            Link = migrations[0].Link is { } link ? new MeasuredLink(link.BandwidthBitsPerSecond / 1e6, link.RttMs, link.Source) : null,
        };
    }

    private static long? Sum(IEnumerable<long?> values) => values.Any(v => v is not null) ? values.OfType<long>().Sum() : null;
}
