namespace SkillVL.Testbed.State;

/// <summary>Values of <see cref="TestbedState.Phase"/>.</summary>
public static class TestbedPhase
{
    /// <summary><c>up</c> is (or was, if it crashed) still creating.</summary>
    public const string Creating = "creating";

    /// <summary><c>up</c> finished.</summary>
    public const string Up = "up";

    /// <summary><c>down</c> started removing (and, if the state file is still there, did not finish).</summary>
    public const string Removing = "removing";
}
