using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SkillVL.Experiments;

/// <summary>
/// Reads a spec (YAML, docs/experiments.md) and checks all of it before anything starts: every error names its field
/// path. Read through YamlDotNet's node model rather than a deserializer, so an unknown key, a level of the wrong
/// type or a written disk beyond its size each point at the exact entry.
/// </summary>
public static class ExperimentSpecParser
{
    private static readonly string[] TopKeys = ["name", "where", "repetitions", "seed", "design", "factors", "cells"];

    /// <summary>The spec in <paramref name="yaml"/>; <paramref name="defaultName"/> when it has no name.</summary>
    /// <exception cref="ExperimentSpecException">Every problem found, each with its field path.</exception>
    public static ExperimentSpec Parse(string yaml, string defaultName, ExperimentLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var errors = new List<string>();
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            root = stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode map
                ? map
                : throw new ExperimentSpecException("spec: one YAML mapping (name, repetitions, factors, …) expected");
        }
        catch (YamlException e)
        {
            throw new ExperimentSpecException($"spec: not valid YAML at line {e.Start.Line}: {e.Message}");
        }

        foreach (var key in root.Children.Keys)
        {
            if (!TopKeys.Contains(Text(key)))
            {
                errors.Add($"{Text(key)}: unknown field (known: {string.Join(", ", TopKeys)})");
            }
        }

        var name = Scalar(root, "name", errors) ?? defaultName;
        var nodes = WhereParser.Parse(root, errors);
        // A where: mapping with errors still checks the cells as existing nodes', so every error is listed at once.
        var where = nodes is not null || (root.Children.TryGetValue("where", out var w) && w is YamlMappingNode) ? "nodes" : "testbed";

        var repetitions = Integer(root, "repetitions", 1, 1, 1000, errors);
        var seed = Integer(root, "seed", 1, int.MinValue, int.MaxValue, errors);
        var design = Scalar(root, "design", errors) ?? "full";
        var factors = Factors(root, errors);
        var cells = new List<(ExperimentCell Cell, Func<string, string> Path)>();
        if (design == "full")
        {
            if (root.Children.ContainsKey("cells"))
            {
                errors.Add("cells: only a list design (design: list) lists cells");
            }

            cells.AddRange(DesignExpander.Full(factors).Select(c => (c, (Func<string, string>)(f => FactorPath(factors, f, c)))));
        }
        else if (design == "list")
        {
            foreach (var (factor, levels) in factors.Where(f => f.Value.Count > 1))
            {
                errors.Add($"factors.{factor}: a list design takes one level per factor here (the common level); the cells vary them");
            }

            cells.AddRange(ListedCells(root, factors, errors));
        }
        else
        {
            errors.Add($"design: \"{design}\" is not full or list");
        }

        foreach (var (cell, path) in cells)
        {
            // On existing nodes the guests' RAM is on those hosts, not on this one.
            CheckCell(cell, path, where == "nodes" ? new ExperimentLimits(long.MaxValue / 4) : limits, errors);
        }

        if (where == "nodes")
        {
            WhereParser.Check(root, cells.Select(c => c.Cell).ToList(), errors);
        }

        if (errors.Count > 0)
        {
            throw new ExperimentSpecException(errors.Distinct().ToList());
        }

        var varied = design == "full"
            ? factors.Where(f => f.Value.Count > 1).Select(f => f.Key).ToList()
            : Factor.All.Where((f, i) => cells.Select(c => c.Cell.Levels[i]).Distinct().Count() > 1).Select(f => f.Name).ToList();
        return new ExperimentSpec
        {
            Name = name, Where = where, Nodes = nodes, Repetitions = repetitions, Seed = seed, Design = design, Varied = varied,
            Cells = cells.Select(c => c.Cell).Distinct().ToList(),
        };
    }

    /// <summary>A written disk beyond its size, and RAM this host cannot hold.</summary>
    private static void CheckCell(ExperimentCell cell, Func<string, string> path, ExperimentLimits limits, List<string> errors)
    {
        if (cell.WrittenBytes > cell.DiskBytes)
        {
            errors.Add($"{path(Factor.Written)}: {cell.Level(Factor.Written)} written is beyond the disk's {cell.Level(Factor.Disk)}");
        }

        if (!cell.ClientOverVxlan && !cell.HasService)
        {
            errors.Add($"{path(Factor.Vxlan)}: off places the service's client; it needs workload: service");
        }

        // One error per RAM level: the smallest VM count that does not fit says enough.
        var needed = ExperimentLimits.NeededBytes(cell);
        if (needed > limits.HostMemoryBytes && !errors.Any(e => e.StartsWith(path(Factor.Ram) + ":", StringComparison.Ordinal)))
        {
            errors.Add(FormattableString.Invariant(
                $"{path(Factor.Ram)}: {cell.Level(Factor.Ram)} × {cell.Vms} VM(s) needs {needed >> 20} MiB on the testbed's host (source and target hold the RAM at once), which has {limits.HostMemoryBytes >> 20} MiB available"));
        }
    }

    /// <summary>factors: each known factor's levels, a scalar or a list; unset factors take their default.</summary>
    private static Dictionary<string, List<string>> Factors(YamlMappingNode root, List<string> errors)
    {
        var result = Factor.All.ToDictionary(f => f.Name, f => new List<string> { f.Default });
        if (!root.Children.TryGetValue("factors", out var node))
        {
            return result;
        }

        if (node is not YamlMappingNode map)
        {
            errors.Add("factors: a mapping of factor → levels expected");
            return result;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var key = Text(keyNode);
            var factor = Factor.All.FirstOrDefault(f => f.Name == key);
            if (factor is null)
            {
                errors.Add($"factors.{key}: unknown factor (known: {string.Join(", ", Factor.All.Select(f => f.Name))})");
                continue;
            }

            var levels = value switch
            {
                YamlSequenceNode list => list.Children.ToList(),
                YamlScalarNode scalar => [scalar],
                _ => [],
            };
            if (levels.Count == 0)
            {
                errors.Add($"factors.{key}: one level or a list of levels expected");
                continue;
            }

            var texts = new List<string>();
            for (var i = 0; i < levels.Count; i++)
            {
                var where = value is YamlSequenceNode ? $"factors.{key}[{i}]" : $"factors.{key}";
                if (levels[i] is not YamlScalarNode level)
                {
                    errors.Add($"{where}: a single level expected");
                    continue;
                }

                var text = Text(level);
                if (FactorLevel.Check(factor, text) is { } problem)
                {
                    errors.Add($"{where}: {problem}");
                }
                else if (texts.Contains(text))
                {
                    errors.Add($"{where}: \"{text}\" is listed twice");
                }
                else
                {
                    texts.Add(text);
                }
            }

            result[key] = texts.Count > 0 ? texts : result[key];
        }

        return result;
    }

    private static IEnumerable<(ExperimentCell, Func<string, string>)> ListedCells(YamlMappingNode root, Dictionary<string, List<string>> factors, List<string> errors)
    {
        if (!root.Children.TryGetValue("cells", out var node) || node is not YamlSequenceNode list || list.Children.Count == 0)
        {
            errors.Add("cells: a list design needs a non-empty list of cells (each a mapping factor: level)");
            yield break;
        }

        for (var i = 0; i < list.Children.Count; i++)
        {
            var at = i;
            if (list.Children[i] is not YamlMappingNode map)
            {
                errors.Add($"cells[{at}]: a mapping factor: level expected");
                continue;
            }

            var levels = Factor.All.Select(f => factors[f.Name][0]).ToArray();
            var ok = true;
            foreach (var (keyNode, value) in map.Children)
            {
                var key = Text(keyNode);
                var index = Factor.IndexOf(key);
                if (index < 0)
                {
                    errors.Add($"cells[{at}].{key}: unknown factor (known: {string.Join(", ", Factor.All.Select(f => f.Name))})");
                    ok = false;
                }
                else if (value is not YamlScalarNode scalar)
                {
                    errors.Add($"cells[{at}].{key}: a single level expected");
                    ok = false;
                }
                else if (FactorLevel.Check(Factor.All[index], Text(scalar)) is { } problem)
                {
                    errors.Add($"cells[{at}].{key}: {problem}");
                    ok = false;
                }
                else
                {
                    levels[index] = Text(scalar);
                }
            }

            if (ok)
            {
                yield return (new ExperimentCell(levels), f => $"cells[{at}].{f}");
            }
        }
    }

    /// <summary>Where a full design's cell got a factor's level: factors.ram[1], or factors.ram for a lone level.</summary>
    private static string FactorPath(Dictionary<string, List<string>> factors, string factor, ExperimentCell cell)
    {
        var levels = factors[factor];
        return levels.Count == 1 ? $"factors.{factor}" : $"factors.{factor}[{levels.IndexOf(cell.Level(factor)).ToString(CultureInfo.InvariantCulture)}]";
    }

    private static string? Scalar(YamlMappingNode root, string key, List<string> errors)
    {
        if (!root.Children.TryGetValue(key, out var node))
        {
            return null;
        }

        if (node is YamlScalarNode scalar && !string.IsNullOrWhiteSpace(scalar.Value))
        {
            return scalar.Value.Trim();
        }

        errors.Add($"{key}: a single value expected");
        return null;
    }

    private static int Integer(YamlMappingNode root, string key, int fallback, int min, int max, List<string> errors)
    {
        var text = Scalar(root, key, errors);
        if (text is null)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors.Add(FormattableString.Invariant($"{key}: \"{text}\" is not a whole number from {min} to {max}"));
        return fallback;
    }

    private static string Text(YamlNode node) => node is YamlScalarNode scalar ? (scalar.Value ?? "").Trim() : node.ToString();
}
