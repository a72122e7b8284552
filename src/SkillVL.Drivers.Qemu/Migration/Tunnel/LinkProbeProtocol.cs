using System.Buffers.Binary;
using System.Net.Security;
using System.Security.Cryptography;
using SkillVL.Core.Errors;
using SkillVL.Core.Migration;

namespace SkillVL.Drivers.Qemu.Migration.Tunnel;

/// <summary>
/// What crosses a link probe's connection once it is open, whichever node dialled (<see cref="LinkProbes"/>): the
/// measuring side (the source) sends pings and bulk frames and computes; the answering side (the target) echoes pings,
/// acknowledges frames and, in reverse mode (ADR 0020), receives the result at the end (<see cref="Result"/> and two
/// big-endian int64: bytes per second, RTT ticks), because there the target made the call that must return it.
/// </summary>
internal sealed class LinkProbeProtocol(TimeProvider time)
{
    private const byte Ping = (byte)'P';
    private const byte Data = (byte)'D';
    private const byte Result = (byte)'R';

    private const int Pings = LinkProbes.Pings;
    private const int FrameBytes = LinkProbes.FrameBytes;
    private const long MaxBytes = LinkProbes.MaxBytes;

    /// <summary>After sending stops, how long the source waits for the target to acknowledge what is still in flight
    /// (socket buffers, the link's queue) before it computes with what it has.</summary>
    private static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time = time;

    /// <summary>The measuring side: RTT, then bandwidth; the result is also sent to the answering side.</summary>
    public async Task<(LinkMeasurement Measurement, long Sent, long Acked)> MeasureAsync(SslStream ssl, CancellationToken ct)
    {
        var rtt = await RoundTripAsync(ssl, ct);
        var (bandwidth, sent, acked) = await BulkAsync(ssl, rtt, ct);
        var result = new byte[17];
        result[0] = Result;
        BinaryPrimitives.WriteInt64BigEndian(result.AsSpan(1), bandwidth.BytesPerSecond);
        BinaryPrimitives.WriteInt64BigEndian(result.AsSpan(9), rtt.Ticks);
        await ssl.WriteAsync(result, ct);
        await ssl.FlushAsync(ct);
        return (new LinkMeasurement(bandwidth, rtt), sent, acked);
    }

    /// <summary>The answering side, until the measuring side ends: its result, or null if it ended without one.</summary>
    public async Task<LinkMeasurement?> AnswerAsync(SslStream ssl, CancellationToken ct)
    {
        var command = new byte[1];
        var header = new byte[4];
        var buffer = new byte[FrameBytes];
        var ack = new byte[8];
        while (await ssl.ReadAsync(command, ct) == 1)
        {
            if (command[0] == Ping)
            {
                await ssl.WriteAsync(command, ct);
                await ssl.FlushAsync(ct);
                continue;
            }

            if (command[0] == Result)
            {
                var result = new byte[16];
                await ssl.ReadExactlyAsync(result, ct);
                return new LinkMeasurement(
                    new DataRate(BinaryPrimitives.ReadInt64BigEndian(result)), TimeSpan.FromTicks(BinaryPrimitives.ReadInt64BigEndian(result.AsSpan(8))));
            }

            if (command[0] != Data)
            {
                return null;
            }

            var received = 0L;
            while (true)
            {
                await ssl.ReadExactlyAsync(header, ct);
                var length = BinaryPrimitives.ReadInt32BigEndian(header);
                if (length is < 0 or > FrameBytes)
                {
                    return null;
                }

                await ssl.ReadExactlyAsync(buffer.AsMemory(0, length), ct);
                received += length;
                BinaryPrimitives.WriteInt64BigEndian(ack, received);
                await ssl.WriteAsync(ack, ct);
                await ssl.FlushAsync(ct);
                if (length == 0)
                {
                    break;
                }
            }
        }

        return null;
    }

    private async Task<TimeSpan> RoundTripAsync(SslStream ssl, CancellationToken ct)
    {
        var one = new byte[1];
        var samples = new List<TimeSpan>(Pings);
        for (var i = 0; i < Pings; i++)
        {
            var started = _time.GetTimestamp();
            one[0] = Ping;
            await ssl.WriteAsync(one, ct);
            await ssl.FlushAsync(ct);
            await ssl.ReadExactlyAsync(one, ct);
            samples.Add(_time.GetElapsedTime(started));
        }

        samples.Sort();
        return samples[Pings / 2];
    }

    /// <summary>The bulk transfer: the rate (<see cref="LinkProbeRate"/>), bytes sent and acknowledged.</summary>
    private async Task<(DataRate Rate, long Sent, long Acked)> BulkAsync(SslStream ssl, TimeSpan roundTrip, CancellationToken ct)
    {
        var frame = new byte[4 + FrameBytes];
        BinaryPrimitives.WriteInt32BigEndian(frame, FrameBytes);
        RandomNumberGenerator.Fill(frame.AsSpan(4));
        var lastAck = (At: 0L, Bytes: 0L);
        var gate = new Lock();
        var finalBytes = -1L;
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var started = _time.GetTimestamp();
        byte[] command = [Data];
        await ssl.WriteAsync(command, ct);
        var reader = Task.Run(async () =>
        {
            var ack = new byte[8];
            while (true)
            {
                await ssl.ReadExactlyAsync(ack, stopReading.Token);
                var bytes = BinaryPrimitives.ReadInt64BigEndian(ack);
                lock (gate)
                {
                    lastAck = (_time.GetTimestamp(), bytes);
                }

                // The end frame is acknowledged too, after finalBytes is set: this sees the last acknowledgement.
                if (Volatile.Read(ref finalBytes) is var final && final >= 0 && bytes >= final)
                {
                    return;
                }
            }
        }, CancellationToken.None);

        var sent = 0L;
        while (sent < MaxBytes && _time.GetElapsedTime(started) < LinkProbes.SendTime && !reader.IsCompleted)
        {
            await ssl.WriteAsync(frame, ct);
            sent += FrameBytes;
        }

        Volatile.Write(ref finalBytes, sent);
        await ssl.WriteAsync(new byte[4], ct);
        await ssl.FlushAsync(ct);
        try
        {
            await reader.WaitAsync(DrainTime, _time, ct);
        }
        catch (TimeoutException)
        {
            // What is still in flight is left out; the last acknowledgement so far gives the rate.
        }
        finally
        {
            await stopReading.CancelAsync();
        }

        (long At, long Bytes) last;
        lock (gate)
        {
            last = lastAck;
        }

        var (lastAt, lastBytes) = last;
        if (LinkProbeRate.BytesPerSecond(_time.GetElapsedTime(started, lastAt), lastBytes, roundTrip) is not { } rate)
        {
            throw new DriverException("The link probe's target acknowledged no data in time.", isTransient: true);
        }

        return (new DataRate((long)rate), sent, lastBytes);
    }
}
