using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>
/// Tests that boot VMs run one after another: on 2 cores parallel TCG guests only slow each other down and
/// make timing-sensitive steps (graceful stop) flaky. Its fixture ends the shared PostgreSQL cluster of a
/// <c>SKILLVL_TEST_DATABASE=postgres</c> run after the last of them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class VmCollection : ICollectionFixture<SharedPostgres.Fixture>
{
    public const string Name = "VMs";
}
