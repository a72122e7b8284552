namespace SkillVL.IntegrationTests;

internal static class RootCheck
{
    /// <summary>These tests need root (taps, bridges). On CI a missing prerequisite fails; it never skips.</summary>
    public static void RequireRoot()
    {
        if (Environment.UserName != "root" && !string.Equals(Environment.GetEnvironmentVariable("USER"), "root", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The integration tests must run as root: they create bridges and taps and boot QEMU guests.");
        }
    }
}
