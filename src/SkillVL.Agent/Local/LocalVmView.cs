namespace SkillVL.Agent.Local;

/// <summary>One line of <c>skillvl-agent vms</c>.</summary>
/// <param name="Room">The machine's room (null when an older Server did not say).</param>
/// <param name="Name">The machine's name in its room.</param>
/// <param name="Id">Platform id.</param>
/// <param name="State">Power state now (running, stopped, crashed, …).</param>
/// <param name="ShouldRun">What the node keeps it at (restored after a restart when true).</param>
/// <param name="CheckedOut">Whether the machine is checked out to this node (its disk here is the one that counts).</param>
public sealed record LocalVmView(string? Room, string Name, string Id, string State, bool ShouldRun, bool CheckedOut);
