using SkillVL.Drivers.Qemu.Templates;

namespace SkillVL.Drivers.Qemu.Tests.Templates;

/// <summary>
/// Issue 11, finding 1: which disks may become templates. The header table is decided from bytes alone (before
/// qemu-img opens anything); the info and check tables from JSON as qemu-img 7.2 prints it for the attack images
/// (made with qemu-img create -b /etc/shadow -F raw, -b 'json:{...}', -o data_file=...,data_file_raw=on).
/// </summary>
public sealed class TemplateDiskPolicyTests
{
    private const long OneTiB = 1L << 40;

    public static TheoryData<string, byte[], string?> Headers => new()
    {
        { "plain v3", Qcow2Headers.Make(), null },
        { "plain v2", Qcow2Headers.Make(version: 2), null },
        { "zstd + extended L2 are fine", Qcow2Headers.Make(incompatible: (1UL << 3) | (1UL << 4)), null },
        { "dirty (lazy refcounts) is left to qemu-img check", Qcow2Headers.Make(incompatible: 1), null },
        { "backing /etc/shadow", Qcow2Headers.Make(backing: "/etc/shadow"), "has a backing file (/etc/shadow)" },
        { "json: backing", Qcow2Headers.Make(backing: "json:{\"file\":{\"driver\":\"file\",\"filename\":\"/etc/shadow\"}}"), "has a backing file (json:{\"file\"" },
        { "backing on v2", Qcow2Headers.Make(version: 2, backing: "/etc/shadow"), "has a backing file (/etc/shadow)" },
        { "external data file", Qcow2Headers.Make(dataFile: "/etc/shadow"), "has an external data file (/etc/shadow)" },
        { "AES (v2 encryption)", Qcow2Headers.Make(crypt: 1), "is encrypted" },
        { "LUKS", Qcow2Headers.Make(crypt: 2), "is encrypted" },
        { "marked corrupt", Qcow2Headers.Make(incompatible: 1UL << 1), "is marked corrupt" },
        { "unknown incompatible feature", Qcow2Headers.Make(incompatible: 1UL << 9), "unknown incompatible" },
        { "version 585557816 (junk after the magic)", Qcow2Headers.Make(version: 585557816), "qcow2 version 585557816" },
        { "only the magic", Qcow2Headers.Make(length: 4), "too few for a qcow2 header" },
        { "v3 cut at 80 bytes", Qcow2Headers.Make(length: 80), "too few for a qcow2 version 3 header" },
        { "empty", [], "does not start with the qcow2 magic" },
        { "a shell script", "#!/bin/sh\necho hi\n"u8.ToArray(), "does not start with the qcow2 magic" },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void Issue11_CheckHeader_RefusesWhatReadsOutsideTheDisk(string description, byte[] head, string? expected)
    {
        var problem = TemplateDiskPolicy.CheckHeader(head);

        AssertVerdict(description, expected, problem);
    }

    private const string Plain = """
        {"virtual-size": 268435456, "filename": "disk.qcow2", "cluster-size": 65536, "format": "qcow2", "actual-size": 11280384,
         "format-specific": {"type": "qcow2", "data": {"compat": "1.1", "compression-type": "zlib", "lazy-refcounts": false,
         "refcount-bits": 16, "corrupt": false, "extended-l2": false}}, "dirty-flag": false}
        """;

    public static TheoryData<string, string, string?> Infos => new()
    {
        { "standalone qcow2 (chain of one)", $"[{Plain}]", null },
        { "standalone qcow2 (without --backing-chain)", Plain, null },
        { "exactly the limit", $"[{Plain.Replace("268435456", OneTiB.ToString(), StringComparison.Ordinal)}]", null },
        {
            "backing /etc/shadow raw",
            """[{"backing-filename-format": "raw", "virtual-size": 1048576, "format": "qcow2", "full-backing-filename": "/etc/shadow", "backing-filename": "/etc/shadow"}]""",
            "has a backing file (/etc/shadow)"
        },
        {
            "json: backing, chain followed",
            """[{"virtual-size": 1048576, "format": "qcow2", "backing-filename": "json:{\"file\":{\"filename\":\"/etc/shadow\"}}"}, {"virtual-size": 1048576, "filename": "/etc/shadow", "format": "raw"}]""",
            "backing chain of 2 images"
        },
        {
            "data file",
            """[{"virtual-size": 1048576, "format": "qcow2", "format-specific": {"type": "qcow2", "data": {"compat": "1.1", "data-file": "/etc/shadow", "data-file-raw": true, "corrupt": false}}}]""",
            "has an external data file (/etc/shadow)"
        },
        {
            "LUKS",
            """[{"virtual-size": 1048576, "format": "qcow2", "encrypted": true, "format-specific": {"type": "qcow2", "data": {"encrypt": {"format": "luks"}}}}]""",
            "is encrypted"
        },
        { "raw", """[{"virtual-size": 1048576, "format": "raw"}]""", "is a raw image, not qcow2" },
        { "2 TiB", $"[{Plain.Replace("268435456", (2 * OneTiB).ToString(), StringComparison.Ordinal)}]", "virtual size of 2048 GiB" },
        { "no size", """[{"format": "qcow2"}]""", "no virtual size" },
        { "marked corrupt", """[{"virtual-size": 1, "format": "qcow2", "format-specific": {"data": {"corrupt": true}}}]""", "marked corrupt" },
        { "not JSON", "qemu-img: oops", "printed no JSON" },
        { "empty chain", "[]", "backing chain of 0 images" },
    };

    [Theory]
    [MemberData(nameof(Infos))]
    public void Issue11_CheckInfo_RefusesBackingDataFileEncryptionFormatAndSize(string description, string json, string? expected)
    {
        var problem = TemplateDiskPolicy.CheckInfo(json, OneTiB);

        AssertVerdict(description, expected, problem);
    }

    public static TheoryData<string, int, string, string, string?> Checks => new()
    {
        { "consistent", 0, """{"image-end-offset": 262144, "total-clusters": 1024, "check-errors": 0, "format": "qcow2"}""", "", null },
        { "leaked clusters only", 3, """{"leaks": 4, "check-errors": 0, "format": "qcow2"}""", "", null },
        { "corruptions", 2, """{"corruptions": 7, "check-errors": 0, "format": "qcow2"}""", "", "found 7 corruption(s)" },
        { "exit 0 but corruptions counted", 0, """{"corruptions": 1}""", "", "found 1 corruption(s)" },
        { "could not open", 1, "", "qemu-img: Could not open 'the disk': Unsupported qcow2 version 585557816\n", "could not check it (Could not open 'the disk': Unsupported qcow2 version 585557816)" },
        { "timed out (fail closed)", -1, "", "qemu-img check did not finish within 30 s.", "could not check it" },
    };

    [Theory]
    [MemberData(nameof(Checks))]
    public void Issue11_CheckConsistency_RefusesCorruptAndUncheckable(string description, int exitCode, string json, string stderr, string? expected)
    {
        var problem = TemplateDiskPolicy.CheckConsistency(exitCode, json, stderr);

        AssertVerdict(description, expected, problem);
    }

    private static void AssertVerdict(string description, string? expected, string? problem)
    {
        if (expected is null)
        {
            Assert.True(problem is null, $"{description}: refused ({problem})");
        }
        else
        {
            Assert.True(problem is not null, $"{description}: accepted");
            Assert.Contains(expected, problem, StringComparison.Ordinal);
        }
    }
}
