namespace SkillVL.Testbed.Status;

/// <summary>
/// <c>skillvl-testbed status</c>: the recorded testbed checked against the host. <see cref="Healthy"/> when the
/// testbed finished coming up and every recorded namespace, interface and process is present and alive.
/// </summary>
public sealed record TestbedStatus(
    string StateFile,
    string Phase,
    string Prefix,
    string Subnet,
    BridgeStatus Bridge,
    IReadOnlyList<NodeStatus> Nodes,
    DateTimeOffset CreatedAt)
{
    public bool Healthy =>
        Phase == State.TestbedPhase.Up && Bridge.Present && Nodes.All(n => n.Healthy);
}
