using System.ComponentModel.DataAnnotations;
using SkillVL.Core.Placement.Control;

namespace SkillVL.Server.PlacementControl;

/// <summary>
/// The placement controller (section "SkillVL:Placement", ADR 0030): the defaults every policy falls back to, and how
/// often it evaluates. The defaults suggest and never move anything by themselves: auto is a decision someone makes.
/// </summary>
public sealed class PlacementOptions
{
    /// <summary>The mode where no policy sets one: off, suggest (default) or auto.</summary>
    public string Mode { get; set; } = PlacementModes.Suggest;

    /// <summary>Evaluations in a row a recommendation must persist before it counts. Default 3 (90 s at the default interval).</summary>
    [Range(1, PlacementPolicyRules.MaxHysteresisEvaluations)]
    public int HysteresisEvaluations { get; set; } = 3;

    /// <summary>How long a machine stays on a node after a move. Default 600 s: a move costs tens of seconds, and
    /// moving again sooner than ten times that would spend more on moving than it gains.</summary>
    [Range(0, PlacementPolicyRules.MaxMinStaySeconds)]
    public int MinStaySeconds { get; set; } = 600;

    /// <summary>Automatic moves under way at once that touch one node. Default 1: a migration uses a core and the link.</summary>
    [Range(0, 100)]
    public int MaxMovesPerNode { get; set; } = 1;

    /// <summary>Automatic moves under way at once between one pair of nodes. Default 1.</summary>
    [Range(0, 100)]
    public int MaxMovesPerLink { get; set; } = 1;

    /// <summary>How often the controller evaluates. Default 30 s (six heartbeats); 0: never by itself, only when an admin asks
    /// (<c>POST /api/v1/placement/evaluate</c>).</summary>
    [Range(0, 86400)]
    public int EvaluateEverySeconds { get; set; } = 30;

    /// <summary>How many decisions the log keeps. Default 1000.</summary>
    [Range(1, 100000)]
    public int DecisionLogSize { get; set; } = 1000;

    /// <summary>The names of the settings out of range (and <c>Mode</c> when it is not off, suggest or auto), or null:
    /// nested options are not validated by the attributes alone, so the Server checks this at start.</summary>
    public string? Invalid()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        var names = results.SelectMany(r => r.MemberNames).ToList();
        if (!PlacementModes.IsKnown(Mode))
        {
            names.Insert(0, nameof(Mode));
        }

        return names.Count == 0 ? null : string.Join(", ", names);
    }

    /// <summary>The defaults as a policy whose every field is set.</summary>
    public PlacementPolicy Defaults() =>
        new(PlacementModes.IsKnown(Mode) ? Mode : PlacementModes.Suggest, HysteresisEvaluations, MinStaySeconds, MaxMovesPerNode, MaxMovesPerLink, []);
}
