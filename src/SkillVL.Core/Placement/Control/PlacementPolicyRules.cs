using System.Globalization;
using SkillVL.Core.Rooms;

namespace SkillVL.Core.Placement.Control;

/// <summary>
/// What a policy may say, and who may say it (ADR 0030): every error names its field, so the API answers a 400
/// ProblemDetails that points at it. The scope's object (an unknown course or room) is the Server's to check.
/// </summary>
public static class PlacementPolicyRules
{
    /// <summary>At most this many windows per policy: a schedule of exams, not a calendar.</summary>
    public const int MaxWindows = 50;

    /// <summary>The longest hysteresis: beyond an hour of evaluations a recommendation is stale anyway.</summary>
    public const int MaxHysteresisEvaluations = 120;

    /// <summary>The longest minimum stay, one week.</summary>
    public const int MaxMinStaySeconds = 7 * 24 * 3600;

    /// <summary>
    /// The errors of <paramref name="policy"/> set at <paramref name="scope"/>. <paramref name="selfService"/>: a user who
    /// is not an admin sets it on himself — he may choose off or suggest and add quiet windows, no more (he may keep his
    /// machines still, not have them moved automatically or loosen what protects the nodes).
    /// </summary>
    public static IReadOnlyList<ValidationError> Validate(PlacementPolicy policy, string scope, bool selfService, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var errors = new List<ValidationError>();
        if (policy.Mode is not null && !PlacementModes.IsKnown(policy.Mode))
        {
            errors.Add(new("mode", $"must be off, suggest or auto (got '{policy.Mode}')"));
        }
        else if (selfService && policy.Mode == PlacementModes.Auto)
        {
            errors.Add(new("mode", "on your own machines you may choose off or suggest; auto is set by an admin or your course's teacher"));
        }

        if (policy.HysteresisEvaluations is { } evaluations && (evaluations < 1 || evaluations > MaxHysteresisEvaluations))
        {
            errors.Add(new("hysteresisEvaluations", $"must be 1 to {MaxHysteresisEvaluations} (got {evaluations})"));
        }

        if (policy.MinStaySeconds is { } stay && (stay < 0 || stay > MaxMinStaySeconds))
        {
            errors.Add(new("minStaySeconds", $"must be 0 to {MaxMinStaySeconds} (got {stay})"));
        }

        if (selfService)
        {
            if (policy.HysteresisEvaluations is not null)
            {
                errors.Add(new("hysteresisEvaluations", "is set by an admin or your course's teacher"));
            }

            if (policy.MinStaySeconds is not null)
            {
                errors.Add(new("minStaySeconds", "is set by an admin or your course's teacher"));
            }
        }

        CheckLimit(errors, "maxMovesPerNode", policy.MaxMovesPerNode, scope);
        CheckLimit(errors, "maxMovesPerLink", policy.MaxMovesPerLink, scope);
        CheckWindows(errors, policy.Windows, now);
        return errors;
    }

    private static void CheckLimit(List<ValidationError> errors, string field, int? value, string scope)
    {
        if (value is null)
        {
            return;
        }

        if (scope != PlacementScopes.Global)
        {
            errors.Add(new(field, "is set on the global policy only: nodes and links are shared by every course"));
        }
        else if (value < 0 || value > 100)
        {
            errors.Add(new(field, $"must be 0 to 100 (got {value}; 0 stops automatic moves)"));
        }
    }

    private static void CheckWindows(List<ValidationError> errors, IReadOnlyList<QuietWindow>? windows, DateTimeOffset now)
    {
        if (windows is null)
        {
            return;
        }

        if (windows.Count > MaxWindows)
        {
            errors.Add(new("windows", $"at most {MaxWindows} windows (got {windows.Count})"));
            return;
        }

        for (var i = 0; i < windows.Count; i++)
        {
            var window = windows[i];
            var field = string.Create(CultureInfo.InvariantCulture, $"windows[{i}]");
            if (window.To <= window.From)
            {
                errors.Add(new(field, $"never opens: its end {Stamp(window.To)} is not after its start {Stamp(window.From)}"));
            }
            else if (window.To <= now)
            {
                errors.Add(new(field, $"never opens: it ended at {Stamp(window.To)}, before now ({Stamp(now)})"));
            }
        }
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
