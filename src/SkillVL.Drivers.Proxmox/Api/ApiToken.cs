using System.Text.RegularExpressions;

namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>
/// A PVE API token: <c>USER@REALM!TOKENID</c> and its secret (a UUID PVE shows once, at creation). Sent as
/// <c>Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET</c> (pveum.adoc "API Tokens"; pve-http-server
/// <c>extract_auth_value</c>); never in a URL, never logged: <see cref="ToString"/> shows only the id.
/// </summary>
public sealed partial class ApiToken
{
    private readonly string secret;

    private ApiToken(string id, string secret)
    {
        Id = id;
        this.secret = secret;
    }

    /// <summary>The full token id, <c>USER@REALM!TOKENID</c>.</summary>
    public string Id { get; }

    /// <summary>The user part (<c>USER@REALM</c>), whose ACLs a privilege-separated token is intersected with.</summary>
    public string User => Id[..Id.IndexOf('!', StringComparison.Ordinal)];

    /// <summary>The value of the Authorization header.</summary>
    internal string HeaderValue => $"PVEAPIToken={Id}={secret}";

    /// <summary>
    /// Checks the id against PVE's own pattern (pve-access-control <c>pve-tokenid</c>: user, realm, token name) so a
    /// typo such as the <c>root@pam=name</c> form some third-party guides show fails here, not as a 401 three seconds later.
    /// </summary>
    public static ApiToken Create(string id, string secret)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(secret);
        if (!TokenIdPattern().IsMatch(id))
        {
            throw new ArgumentException($"'{id}' is not a PVE API token id: expected USER@REALM!TOKENID, e.g. skillvl@pve!lab", nameof(id));
        }

        var trimmed = secret.Trim();
        if (trimmed.Length == 0 || trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ArgumentException("the token secret is empty or contains spaces or control characters", nameof(secret));
        }

        return new ApiToken(id, trimmed);
    }

    public override string ToString() => Id;

    // The same pieces as PVE's userid and tokenid formats: user without whitespace, ':' or '/', realm and token name
    // starting with a letter (GET /access/permissions 'userid' pattern in the 9.1 schema).
    [GeneratedRegex(@"^[^\s:/@!]+@[A-Za-z][A-Za-z0-9.\-_]+![A-Za-z][A-Za-z0-9.\-_]+$")]
    private static partial Regex TokenIdPattern();
}
