using SkillVL.Core.Nodes;
using SkillVL.Core.Rooms;

namespace SkillVL.Server.Migrations;

/// <summary>
/// Whether a machine may move to a node, as a pure function of what the registry knows (tested with a table):
/// the first reason it may not, naming the request field.
/// </summary>
public static class MigrationTargetCheck
{
    /// <param name="target">The target node, null when no node has that name.</param>
    /// <param name="allocatedBytes">Memory of the machines placed on the target plus those migrating to it.</param>
    public static ValidationError? Check(
        string targetName, string sourceName, long machineMemoryBytes, INodeAgent? source, INodeAgent? target,
        bool targetReachable, bool targetDrained, long allocatedBytes)
    {
        if (target is null)
        {
            return new("to", $"'{targetName}' is not a known node (skillvl node list)");
        }

        if (targetName == sourceName)
        {
            return new("to", $"the machine already runs on node '{targetName}'");
        }

        if (targetDrained)
        {
            return new("to", $"node '{targetName}' is drained: it takes no new machines (skillvl node undrain {targetName})");
        }

        if (!targetReachable)
        {
            return new("to", $"node '{targetName}' is unreachable: its agent is not connected");
        }

        if (source is null || !source.Vms.Capabilities.LiveMigration)
        {
            return new("machine", $"the machine's node '{sourceName}' cannot send live migrations (its driver does not offer them)");
        }

        if (!target.Vms.Capabilities.LiveMigration)
        {
            return new("to", $"node '{targetName}' cannot receive live migrations (its driver does not offer them)");
        }

        if (MigrationCompatibility.Check(source.Facts, target.Facts) is { } incompatible)
        {
            return new("to", incompatible);
        }

        var free = target.Facts.MemoryBytes - allocatedBytes;
        if (free < machineMemoryBytes)
        {
            // Not how much is free: that is other users' allocation, which only an admin sees (issue 11, finding 9).
            return new("to", $"node '{targetName}' is full: it has less memory free than the machine needs ({machineMemoryBytes >> 20} MiB)");
        }

        return null;
    }
}
