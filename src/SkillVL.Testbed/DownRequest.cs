namespace SkillVL.Testbed;

/// <summary>
/// What <c>skillvl-testbed down</c> was asked for. The admin token is needed only to remove the testbed's nodes at
/// the Server; without either option <c>down</c> looks where <c>up</c> looked (see <see cref="TestbedController.DownAsync(DownRequest, CancellationToken)"/>).
/// </summary>
public sealed record DownRequest
{
    /// <summary>The testbed's state directory (<c>--state</c>).</summary>
    public required string StateDirectory { get; init; }

    /// <summary>An admin API token (<c>--admin-token</c>); null: not given.</summary>
    public string? AdminToken { get; init; }

    /// <summary>A file holding it (<c>--admin-token-file</c>); null: not given.</summary>
    public string? AdminTokenFile { get; init; }
}
