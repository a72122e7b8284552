using System.Globalization;

namespace SkillVL.Testbed.IntegrationTests;

/// <summary>
/// A prefix, an underlay subnet and a state directory of a test's own, so a test never touches a real testbed
/// (prefix svltb, 198.18.0.0/24, /var/lib/skillvl-testbed) or another test's.
/// </summary>
internal sealed record TestbedNames(string Prefix, string Subnet, string StateDirectory)
{
    /// <summary>"tb" and 4 hex digits; a /24 in 198.19.0.0/16 (the testbed's default lives in 198.18.0.0/16); /tmp/tb-XXXX.</summary>
    public static TestbedNames Create()
    {
        var id = Guid.NewGuid().ToString("N")[..4];
        var third = Random.Shared.Next(1, 255);
        return new TestbedNames(
            "tb" + id,
            string.Create(CultureInfo.InvariantCulture, $"198.19.{third}.0/24"),
            Path.Combine(Path.GetTempPath(), "tb-" + id));
    }

    /// <summary>Host .N of the subnet.</summary>
    public string Host(int n) => string.Create(CultureInfo.InvariantCulture, $"{Subnet[..Subnet.LastIndexOf('.')]}.{n}");

    public string Namespace(string node) => $"{Prefix}-{node}";
}
