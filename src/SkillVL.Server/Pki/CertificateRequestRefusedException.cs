namespace SkillVL.Server.Pki;

/// <summary>A certificate signing request the platform CA will not sign (bad signature, wrong key type or size).</summary>
public sealed class CertificateRequestRefusedException(string message, Exception? innerException = null)
    : Exception(message, innerException);
