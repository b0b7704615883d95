import { Random } from '../../common/random';
import { VirtualClock } from './virtual-clock';

describe('VirtualClock', () => {
  it('runs timers in due order, and timers due together in the order they were set', () => {
    const clock = new VirtualClock();
    const ran: string[] = [];
    clock.at(30, () => ran.push('c'));
    clock.at(10, () => ran.push('a1'));
    clock.at(20, () => ran.push('b'));
    clock.at(10, () => ran.push('a2'));
    clock.runUntilIdle();
    expect(ran).toEqual(['a1', 'a2', 'b', 'c']);
    expect(clock.now()).toBe(30);
  });

  it('advances only up to the given time, inclusive, and keeps later timers', () => {
    const clock = new VirtualClock();
    const ran: number[] = [];
    for (const t of [5, 10, 15]) clock.at(t, () => ran.push(clock.now()));
    clock.advanceTo(10);
    expect(ran).toEqual([5, 10]);
    expect(clock.nextDue()).toBe(15);
    clock.advance(2);
    expect(clock.now()).toBe(12);
    expect(ran).toEqual([5, 10]);
  });

  it('skips cancelled timers, including one at the top of the queue', () => {
    const clock = new VirtualClock();
    const ran: string[] = [];
    const first = clock.at(1, () => ran.push('first'));
    clock.at(2, () => ran.push('second'));
    const third = clock.at(3, () => ran.push('third'));
    first.cancel();
    third.cancel();
    expect(clock.nextDue()).toBe(2);
    clock.runUntilIdle();
    expect(ran).toEqual(['second']);
    expect(clock.nextDue()).toBeUndefined();
  });

  it('runs a timer set in the past, or for now from inside a callback, after those already due now', () => {
    const clock = new VirtualClock(100);
    const ran: string[] = [];
    clock.at(100, () => {
      ran.push('a');
      clock.at(50, () => ran.push('late'));
    });
    clock.at(100, () => ran.push('b'));
    clock.runUntilIdle();
    expect(ran).toEqual(['a', 'b', 'late']);
    expect(clock.now()).toBe(100);
  });

  it('matches a sorted schedule for many timers set in random order, some cancelled', () => {
    const clock = new VirtualClock();
    const random = new Random(3);
    const expected: Array<{ due: number; id: number }> = [];
    const ran: number[] = [];
    for (let id = 0; id < 5000; id++) {
      const due = random.int(500);
      const handle = clock.at(due, () => ran.push(id));
      if (id % 7 === 0) handle.cancel();
      else expected.push({ due, id });
    }
    expected.sort((a, b) => a.due - b.due || a.id - b.id);
    clock.runUntilIdle();
    expect(ran).toEqual(expected.map((e) => e.id));
  });

  it('stops a runaway loop', () => {
    const clock = new VirtualClock();
    const loop = (): void => void clock.at(clock.now() + 1, loop);
    loop();
    expect(() => clock.runUntilIdle(1000)).toThrow(/still busy/);
  });
});
