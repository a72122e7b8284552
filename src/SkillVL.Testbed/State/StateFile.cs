using System.Text.Json;

namespace SkillVL.Testbed.State;

/// <summary>
/// Reads and writes testbed.json. The first write creates the file exclusively (O_EXCL), so two <c>up</c> runs on
/// one state directory cannot both proceed; later writes replace it atomically (write a temporary file, rename).
/// </summary>
internal static class StateFile
{
    /// <summary>Creates <paramref name="path"/> with <paramref name="state"/>; false when the file already exists.</summary>
    public static bool TryCreate(string path, TestbedState state)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            JsonSerializer.Serialize(stream, state, TestbedJsonContext.Default.TestbedState);
            stream.Flush(flushToDisk: true);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="state"/> atomically.</summary>
    public static void Save(string path, TestbedState state)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, state, TestbedJsonContext.Default.TestbedState);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The state at <paramref name="path"/>, or null when there is none.</summary>
    /// <exception cref="TestbedException">The file exists but is not a testbed state this version understands.</exception>
    public static TestbedState? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        TestbedState? state;
        try
        {
            using var stream = File.OpenRead(path);
            state = JsonSerializer.Deserialize(stream, TestbedJsonContext.Default.TestbedState);
        }
        catch (JsonException e)
        {
            throw new TestbedException($"{path} is not a testbed state file ({e.Message}); remove what it describes by hand, then the file", e);
        }

        if (state is null || state.Version is < 1 or > TestbedState.CurrentVersion)
        {
            throw new TestbedException($"{path} has state version {state?.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}; this skillvl-testbed reads versions 1 to {TestbedState.CurrentVersion}");
        }

        return state;
    }
}
