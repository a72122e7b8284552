namespace SkillVL.Core.Compute;

/// <summary>
/// Where the source of a migration waits for the target's tunnel when the target opens every connection itself
/// (<see cref="IVmMigrationDriver.OpenOutgoingRendezvousAsync"/>, ADR 0020): a client node behind NAT can dial out but
/// nothing can reach it.
/// </summary>
/// <param name="Host">The source's address the target dials (its underlay address; 127.0.0.1 on one host).</param>
/// <param name="Port">The rendezvous's TCP port (TLS).</param>
/// <param name="Token">The migration's secret (256 bits) the target presents on every connection: a platform certificate
/// alone does not open another node's migration.</param>
/// <param name="TlsHostname">The name the target checks the source's certificate against.</param>
public sealed record OutgoingRendezvous(string Host, int Port, string Token, string TlsHostname);
