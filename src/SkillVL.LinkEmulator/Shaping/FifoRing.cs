namespace SkillVL.LinkEmulator.Shaping;

/// <summary>
/// A first-in first-out queue on a circular array that doubles when full and never shrinks: after the
/// first seconds of traffic it has reached its working size and enqueue/dequeue allocate nothing.
/// (<see cref="Queue{T}"/> would do the same; this one also lets the owner look at the head by reference.)
/// </summary>
internal sealed class FifoRing<T>
    where T : struct
{
    private T[] _items;
    private int _head;

    public FifoRing(int initialCapacity = 64)
    {
        _items = new T[Math.Max(4, initialCapacity)];
    }

    public int Count { get; private set; }

    public ref readonly T Head
    {
        get
        {
            if (Count == 0)
            {
                throw new InvalidOperationException("The queue is empty.");
            }

            return ref _items[_head];
        }
    }

    public void Enqueue(in T item)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        _items[(_head + Count) % _items.Length] = item;
        Count++;
    }

    public T Dequeue()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("The queue is empty.");
        }

        var item = _items[_head];
        _items[_head] = default;
        _head = (_head + 1) % _items.Length;
        Count--;
        return item;
    }

    private void Grow()
    {
        var larger = new T[_items.Length * 2];
        for (var i = 0; i < Count; i++)
        {
            larger[i] = _items[(_head + i) % _items.Length];
        }

        _items = larger;
        _head = 0;
    }
}
