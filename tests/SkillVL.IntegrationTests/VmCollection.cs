using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>
/// Tests that boot VMs run one after another: on 2 cores parallel TCG guests only slow each other down and
/// make timing-sensitive steps (graceful stop) flaky.
/// </summary>
[CollectionDefinition(Name)]
public sealed class VmCollection
{
    public const string Name = "VMs";
}
