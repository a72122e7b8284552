using System.Globalization;
using System.Net;
using SkillVL.Core.Addressing;
using SkillVL.Core.Quantities;

namespace SkillVL.Core.Rooms;

/// <summary>
/// The rules of a room the schema cannot express: unique names, known templates and networks, addresses
/// that fit their networks, networks that do not overlap and are lab ranges, machines that fit on a node, and the
/// counts and text lengths of <see cref="RoomLimits"/>; the room's checks last (<see cref="RoomChecksValidator"/>). Expects a room that
/// passed the schema (<see cref="RoomDocument.Parse"/>), but never throws on one that did not: a CIDR, address
/// or quantity it cannot read is reported, not fatal. At most one error per field, in document order.
/// </summary>
public static class RoomValidator
{
    /// <summary>
    /// Less RAM than this does not boot even a minimal Linux guest (kernel plus initramfs); a smaller value is
    /// a typo ("256" bytes for "256Mi"), not a choice.
    /// </summary>
    public const long MinMemoryBytes = 16L * 1024 * 1024;

    /// <summary>
    /// /31 and /32 leave no address for two machines besides network and broadcast (RFC 3021 point-to-point
    /// links are out of scope for v1).
    /// </summary>
    public const int MaxPrefixLength = 30;

    public static IReadOnlyList<ValidationError> Validate(RoomDefinition room, RoomValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(context);
        var errors = new List<ValidationError>();
        var limits = context.Limits ?? RoomLimits.Default;
        ValidateSizes(room, limits, errors);
        var networks = ValidateNetworks(room.Networks, errors);
        var addresses = new Dictionary<(string Network, uint Address), string>();
        ValidateMachines(room, context, networks, addresses, errors);
        RoomRoutingValidator.Validate(room, networks, addresses, errors);
        RoomChecksValidator.Validate(room, limits, errors);
        RoomCloudInitValidator.Validate(room, errors);
        ValidateLifetime(room.Lifetime, errors);
        return errors;
    }

    /// <summary>The schema checked the form of the durations; their range is checked here.</summary>
    private static void ValidateLifetime(RoomLifetime? lifetime, List<ValidationError> errors)
    {
        if (lifetime?.StopAfter is { } stop && LifetimeDuration.Problem(stop) is { } stopProblem)
        {
            errors.Add(new("lifetime.stopAfter", stopProblem));
        }

        if (lifetime?.DeleteAfter is { } delete && LifetimeDuration.Problem(delete) is { } deleteProblem)
        {
            errors.Add(new("lifetime.deleteAfter", deleteProblem));
        }

        if (lifetime?.IdleStopAfter is { } idle && LifetimeDuration.Problem(idle) is { } idleProblem)
        {
            errors.Add(new("lifetime.idleStopAfter", idleProblem));
        }
    }

    /// <summary>Counts and text lengths first: a room over them is refused whatever else it gets right.</summary>
    private static void ValidateSizes(RoomDefinition room, RoomLimits limits, List<ValidationError> errors)
    {
        if (room.Metadata.Description is { } description && description.Length > limits.MaxDescriptionLength)
        {
            errors.Add(new("metadata.description", $"has {Count(description.Length)} characters; at most {Count(limits.MaxDescriptionLength)} are allowed"));
        }

        if (room.Networks.Count > limits.MaxNetworks)
        {
            errors.Add(new("networks", $"a room may have at most {Count(limits.MaxNetworks)} networks; this one has {Count(room.Networks.Count)}"));
        }

        if (room.Machines.Count > limits.MaxMachines)
        {
            errors.Add(new("machines", $"a room may have at most {Count(limits.MaxMachines)} machines; this one has {Count(room.Machines.Count)}"));
        }

        for (var i = 0; i < room.Machines.Count; i++)
        {
            var machine = room.Machines[i];
            var path = Item("machines", i);
            if (machine.Nics.Count > limits.MaxNicsPerMachine)
            {
                errors.Add(new($"{path}.nics", $"a machine may have at most {Count(limits.MaxNicsPerMachine)} NICs; this one has {Count(machine.Nics.Count)}"));
            }

            if (machine.Template.Length > limits.MaxTextLength)
            {
                errors.Add(new($"{path}.template", $"has {Count(machine.Template.Length)} characters; at most {Count(limits.MaxTextLength)} are allowed"));
            }

            if (machine.NodeLabels is not { } labels)
            {
                continue;
            }

            if (labels.Count > limits.MaxNodeLabels)
            {
                errors.Add(new($"{path}.nodeLabels", $"a machine may ask for at most {Count(limits.MaxNodeLabels)} node labels; this one asks for {Count(labels.Count)}"));
            }
            else if (labels.FirstOrDefault(l => l.Key.Length > limits.MaxTextLength || l.Value.Length > limits.MaxTextLength) is { Key: not null } tooLong)
            {
                errors.Add(new($"{path}.nodeLabels", $"label '{Shorten(tooLong.Key)}' is longer than {Count(limits.MaxTextLength)} characters (key or value)"));
            }
        }
    }

    private static Dictionary<string, KnownNetwork> ValidateNetworks(IReadOnlyList<NetworkDefinition> networks, List<ValidationError> errors)
    {
        var byName = new Dictionary<string, KnownNetwork>(StringComparer.Ordinal);
        var parsed = new List<(Ipv4Cidr Cidr, int Index)>();
        for (var i = 0; i < networks.Count; i++)
        {
            var network = networks[i];
            var path = Item("networks", i);
            if (byName.TryGetValue(network.Name, out var first))
            {
                errors.Add(new($"{path}.name", $"'{network.Name}' is already the name of {Item("networks", first.Index)}"));
            }

            Ipv4Cidr? usable = null;
            var cidrPath = $"{path}.cidr";
            if (Ipv4Cidr.TryParse(network.Cidr, out var cidr))
            {
                var overlapped = parsed.FindIndex(p => p.Cidr.Overlaps(cidr));
                if (cidr.PrefixLength > MaxPrefixLength)
                {
                    errors.Add(new(cidrPath, $"{cidr} is too small: a network needs a prefix of /{MaxPrefixLength} or shorter"));
                }
                else if (LabRanges.Problem(cidr) is { } notLab)
                {
                    errors.Add(new(cidrPath, notLab));
                }
                else if (overlapped >= 0)
                {
                    var (other, otherIndex) = parsed[overlapped];
                    errors.Add(new(cidrPath, $"overlaps {Item("networks", otherIndex)} ({other})"));
                }
                else
                {
                    usable = cidr;
                }

                parsed.Add((cidr, i));
            }
            else if (Ipv4Cidr.TryParseHostWithPrefix(network.Cidr, out _, out var enclosing))
            {
                errors.Add(new(cidrPath, $"{network.Cidr} has host bits set; did you mean {enclosing}?"));
            }
            else
            {
                errors.Add(new(cidrPath, $"'{network.Cidr}' is not a valid IPv4 CIDR (write it like 10.0.1.0/24)"));
            }

            byName.TryAdd(network.Name, new KnownNetwork(i, usable));
        }

        return byName;
    }

    private static void ValidateMachines(
        RoomDefinition room,
        RoomValidationContext context,
        Dictionary<string, KnownNetwork> networks,
        Dictionary<(string Network, uint Address), string> addresses,
        List<ValidationError> errors)
    {
        var machineNames = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < room.Machines.Count; i++)
        {
            var machine = room.Machines[i];
            var path = Item("machines", i);
            if (!machineNames.TryAdd(machine.Name, i))
            {
                errors.Add(new($"{path}.name", $"'{machine.Name}' is already the name of {Item("machines", machineNames[machine.Name])}"));
            }

            // An over-long name has its own error above (at most one per field).
            if (machine.Template.Length <= (context.Limits ?? RoomLimits.Default).MaxTextLength && !context.TemplateNames.Contains(machine.Template))
            {
                var known = context.TemplateNames.Count == 0
                    ? "no templates exist yet"
                    : "known: " + string.Join(", ", context.TemplateNames.Order(StringComparer.Ordinal));
                errors.Add(new($"{path}.template", $"unknown template '{machine.Template}'; {known}"));
            }
            else if (context.UnusableTemplates?.GetValueOrDefault(machine.Template) is { } unusable)
            {
                errors.Add(new($"{path}.template", $"template '{machine.Template}' is unusable: its {unusable}"));
            }

            if (CheckCpus(machine.Cpus, context) is { } cpuProblem)
            {
                errors.Add(new($"{path}.cpus", cpuProblem));
            }

            if (CheckMemory(machine.Memory, context) is { } memoryProblem)
            {
                errors.Add(new($"{path}.memory", memoryProblem));
            }

            ValidateNics(room, i, networks, addresses, errors);
        }
    }

    private static void ValidateNics(
        RoomDefinition room,
        int machineIndex,
        Dictionary<string, KnownNetwork> networks,
        Dictionary<(string Network, uint Address), string> addresses,
        List<ValidationError> errors)
    {
        var machinePath = Item("machines", machineIndex);
        var nics = room.Machines[machineIndex].Nics;
        var networksOfMachine = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var j = 0; j < nics.Count; j++)
        {
            var nic = nics[j];
            var nicPath = $"{machinePath}.{Item("nics", j)}";
            if (!networks.TryGetValue(nic.Network, out var network))
            {
                var known = room.Networks.Count == 0
                    ? "the room has no networks"
                    : "known: " + string.Join(", ", room.Networks.Select(n => n.Name).Distinct(StringComparer.Ordinal));
                errors.Add(new($"{nicPath}.network", $"unknown network '{nic.Network}'; {known}"));
                continue;
            }

            if (!networksOfMachine.TryAdd(nic.Network, j))
            {
                // Two NICs on one L2 segment give the guest two routes to the same subnet: almost always a slip.
                errors.Add(new(
                    $"{nicPath}.network",
                    $"{machinePath} already has a NIC on '{nic.Network}' ({Item("nics", networksOfMachine[nic.Network])})"));
            }

            if (nic.Ip is null)
            {
                continue;
            }

            var ipPath = $"{nicPath}.ip";
            if (!Ipv4Address.TryParse(nic.Ip, out var ip))
            {
                errors.Add(new(ipPath, $"'{nic.Ip}' is not a valid IPv4 address (write it like 10.0.1.10)"));
                continue;
            }

            if (network.Cidr is { } cidr && CheckAddressInNetwork(ip, nic.Network, cidr) is { } problem)
            {
                errors.Add(new(ipPath, problem));
                continue;
            }

            if (!addresses.TryAdd((nic.Network, Ipv4Address.ToUInt32(ip)), nicPath))
            {
                errors.Add(new(ipPath, $"{ip} is already used by {addresses[(nic.Network, Ipv4Address.ToUInt32(ip))]}"));
            }
        }
    }

    /// <summary>Null when <paramref name="ip"/> may be a host's address on the network; else why not.</summary>
    internal static string? CheckAddressInNetwork(IPAddress ip, string networkName, Ipv4Cidr cidr)
    {
        if (!cidr.Contains(ip))
        {
            return $"{ip} is outside network '{networkName}' ({cidr})";
        }

        if (ip.Equals(cidr.Network))
        {
            return $"{ip} is the network address of '{networkName}' ({cidr}); a machine cannot use it";
        }

        if (ip.Equals(cidr.Broadcast))
        {
            return $"{ip} is the broadcast address of '{networkName}' ({cidr}); a machine cannot use it";
        }

        return null;
    }

    private static string? CheckCpus(int? cpus, RoomValidationContext context) => cpus switch
    {
        null => null,
        < 1 => "must be at least 1",
        { } n when n > context.MaxCpusPerMachine =>
            $"{n.ToString(CultureInfo.InvariantCulture)} is more than the largest node has ({context.MaxCpusPerMachine.ToString(CultureInfo.InvariantCulture)})",
        _ => null,
    };

    private static string? CheckMemory(string? memory, RoomValidationContext context)
    {
        if (memory is null)
        {
            return null;
        }

        if (!MemoryQuantity.TryParseBytes(memory, out var bytes))
        {
            return $"'{memory}' is not a valid memory quantity (write it like 256Mi or 1Gi)";
        }

        if (bytes < MinMemoryBytes)
        {
            return $"{memory} is less than the minimum of {MemoryQuantity.Format(MinMemoryBytes)}";
        }

        return bytes > context.MaxMemoryBytesPerMachine
            ? $"{memory} is more than the largest node has ({MemoryQuantity.Format(context.MaxMemoryBytesPerMachine)})"
            : null;
    }

    internal static string Item(string list, int index) => FieldPath.Index(list, index);

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>A key short enough to quote in a message (the key itself may be the over-long text).</summary>
    private static string Shorten(string text) => text.Length <= 32 ? text : text[..32] + "…";
}
