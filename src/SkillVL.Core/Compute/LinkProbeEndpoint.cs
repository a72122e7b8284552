namespace SkillVL.Core.Compute;

/// <summary>
/// Where a target node's link probe waits for the source (<see cref="IVmMigrationDriver.OpenLinkProbeAsync"/>).
/// </summary>
/// <param name="Host">The target's address the source reaches (its underlay address; 127.0.0.1 on one host).</param>
/// <param name="Port">The probe's TCP port (TLS).</param>
/// <param name="Token">The secret the source presents: a node certificate alone does not open another node's probe.</param>
/// <param name="TlsHostname">The name the source checks the target's certificate against.</param>
/// <param name="Lifetime">How long the endpoint stays open at most, even if no source comes.</param>
/// <param name="Reverse">The endpoint is on the source (<see cref="IVmMigrationDriver.OpenReverseLinkProbeAsync"/>, ADR 0020):
/// the target dials it and answers, the source sends and measures; <paramref name="Host"/> is then the source's.</param>
public sealed record LinkProbeEndpoint(string Host, int Port, string Token, string TlsHostname, TimeSpan Lifetime, bool Reverse = false);
