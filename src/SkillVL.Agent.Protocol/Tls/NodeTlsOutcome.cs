namespace SkillVL.Agent.Tls;

/// <summary>What <see cref="NodeTlsEnrolment.EnsureAsync"/> did.</summary>
/// <param name="Renewed">Whether a new certificate was installed.</param>
/// <param name="Reason">Why it was (null when the existing one was kept).</param>
/// <param name="NotAfter">When the certificate in the directory now expires.</param>
/// <param name="SerialNumber">Its serial number (hex).</param>
public sealed record NodeTlsOutcome(bool Renewed, string? Reason, DateTimeOffset NotAfter, string SerialNumber);
