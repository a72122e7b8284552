using System.Globalization;
using SkillVL.Cli.Http;
using SkillVL.Cli.Input;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Migrations;

namespace SkillVL.Cli.Output;

/// <summary>
/// Follows a migration to its end (<c>vm migrate --wait</c>): its log lines and, when the phase or the bytes moved, a
/// progress line (phase, bytes done/total, rate, ETA) on stderr, so stdout keeps only the result (<c>-o json</c>).
/// Exit code: 0 when it succeeded, <see cref="ExitCodes.TaskFailed"/> when it failed or was cancelled.
/// </summary>
internal sealed class MigrationFollower(CliContext context, SkillVlClient client)
{
    /// <summary>A migration of a small VM over a LAN takes seconds; one over a slow WAN, many minutes.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromHours(1);

    private const int MaxConsecutivePollFailures = 5;

    public async Task<MigrationInfo> FollowAsync(MigrationInfo accepted, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = context.TimeProvider.GetTimestamp();
        var shown = 0;
        var failures = 0;
        var lastProgress = "";
        var migration = accepted;
        while (true)
        {
            var log = migration.Log ?? [];
            foreach (var line in log.Skip(shown))
            {
                context.Error.WriteLine($"{DisplayFormat.LogTime(line.Timestamp)} {line.Message}");
            }

            shown = Math.Max(shown, log.Count);
            var progress = Progress(migration.Progress);
            if (progress != lastProgress && migration.Progress.BytesTotal > 0 && !MigrationStates.IsFinal(migration.State))
            {
                context.Error.WriteLine(progress);
                lastProgress = progress;
            }

            if (MigrationStates.IsFinal(migration.State))
            {
                return migration;
            }

            if (context.TimeProvider.GetElapsedTime(started) >= timeout)
            {
                throw new CliException(
                    $"gave up waiting for migration {migration.Id} after {DurationParser.Format(timeout)}; it goes on on the server: skillvl migration show {migration.Id}",
                    ExitCodes.Error);
            }

            await Task.Delay(context.PollInterval, context.TimeProvider, cancellationToken);
            try
            {
                migration = ApiJson.Read<MigrationInfo>(await client.GetAsync(ApiPaths.Migration(accepted.Id), $"migration '{accepted.Id}'", cancellationToken));
                failures = 0;
            }
            catch (Exception e) when (SkillVlClient.IsTransient(e) && ++failures < MaxConsecutivePollFailures)
            {
                // Try again at the next tick; a GET is safe to repeat.
            }
        }
    }

    /// <summary>"live-copy-ram  120Mi/256Mi  47%  48.2 Mbit/s  ETA 23s".</summary>
    public static string Progress(MigrationProgressInfo p)
    {
        var fraction = p.BytesTotal > 0 ? (double)p.BytesDone / p.BytesTotal : 0;
        var eta = p.EtaSeconds is { } seconds ? $"  ETA {DurationParser.Format(TimeSpan.FromSeconds(Math.Ceiling(seconds)))}" : "";
        return $"{p.Phase}  {DisplayFormat.Bytes(p.BytesDone)}/{DisplayFormat.Bytes(p.BytesTotal)}  {DisplayFormat.Percent(fraction)}  {Rate(p.RateBitsPerSecond)}{eta}";
    }

    public static string Rate(double? bitsPerSecond) => bitsPerSecond switch
    {
        null => DisplayFormat.None,
        >= 1e9 => (bitsPerSecond.Value / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + " Gbit/s",
        >= 1e6 => (bitsPerSecond.Value / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + " Mbit/s",
        >= 1e3 => (bitsPerSecond.Value / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + " kbit/s",
        _ => bitsPerSecond.Value.ToString("0", CultureInfo.InvariantCulture) + " bit/s",
    };
}
