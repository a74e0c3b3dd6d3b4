import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.js';

describe('Fifo', () => {
  it('gives items back in order, across compactions, and undefined when empty', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 5_000; i++) fifo.push(i);
    const out: number[] = [];
    for (let i = 0; i < 3_000; i++) out.push(fifo.shift() as number);
    for (let i = 5_000; i < 6_000; i++) fifo.push(i);
    expect(fifo.size).toBe(3_000);
    let next = fifo.shift();
    while (next !== undefined) {
      out.push(next);
      next = fifo.shift();
    }
    expect(out).toEqual(Array.from({ length: 6_000 }, (_, i) => i));
    expect(fifo.size).toBe(0);
    fifo.push(7);
    fifo.clear();
    expect(fifo.shift()).toBeUndefined();
  });
});
