using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Migration;
using SkillVL.Server.Data;

namespace SkillVL.Server.Migrations;

/// <summary>Maps migration rows to the API's record.</summary>
public static class MigrationViews
{
    /// <param name="withLog">False for the event stream, which sends every change and has no use for the whole log each time.</param>
    public static MigrationInfo Info(MigrationEntity m, bool withLog = true)
    {
        var limits = MigrationJson.Read<MigrationLimits>(m.LimitsJson);
        JsonElement? parameters = null;
        JsonElement? prediction = null;
        if (m.ParametersJson is { } json)
        {
            using var document = JsonDocument.Parse(json);
            parameters = document.RootElement.Clone();
            prediction = parameters.Value.TryGetProperty("prediction", out var p) ? p.Clone() : null;
        }

        var link = m.LinkJson is null ? null : MigrationJson.Read<LinkMeasurement>(m.LinkJson);
        return new MigrationInfo(
            m.Id,
            new MigrationMachineRef(m.MachineId, m.RoomName, m.MachineName),
            m.SourceNode,
            m.TargetNode,
            m.Mode,
            m.State,
            m.Phase,
            new MigrationProgressInfo(m.Phase, m.BytesDone, m.BytesTotal, m.RateBitsPerSecond, m.EtaSeconds),
            parameters,
            prediction,
            link is null ? null : new MigrationLinkInfo(link.Bandwidth.BytesPerSecond * 8.0, link.RoundTripTime.TotalMilliseconds, link.LossRatio, m.LinkSource ?? "request"),
            new MigrationOptionsInfo(
                limits.MaxBandwidth is { } cap ? cap.BytesPerSecond * 8.0 : null,
                limits.DowntimeLimit.TotalMilliseconds,
                limits.MaxDowntime?.TotalMilliseconds,
                limits.MaxTotalTime?.TotalSeconds,
                limits.AllowPostCopy,
                m.DiskTransfer,
                m.Tuning,
                m.Tls),
            new MigrationMetrics(m.TotalTimeMs, m.DowntimeMs, m.ProbeDowntimeMs, m.RamBytes, m.DiskBytes, m.BaseBytes, m.AverageThroughputBitsPerSecond),
            m.Error,
            m.RequestedBy,
            withLog ? m.Log.OrderBy(l => l.Id).Select(l => new TaskLogLine(l.At, l.Message)).ToList() : [],
            m.CreatedAt,
            m.StartedAt,
            m.FinishedAt,
            m.Purpose);
    }
}
