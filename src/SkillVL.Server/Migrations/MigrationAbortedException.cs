namespace SkillVL.Server.Migrations;

/// <summary>A migration that cannot go on: a node reported a failure, or the policy decided to abort.</summary>
public sealed class MigrationAbortedException(string message, Exception? inner = null) : Exception(message, inner);
