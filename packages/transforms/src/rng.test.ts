import { describe, expect, it } from 'vitest';
import { deriveSeed, Rng, shuffleInPlace } from './rng';

describe('Rng', () => {
  it('is reproducible under a seed and uniform in [0, 1)', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 10000 }, () => a.random());
    expect(Array.from({ length: 10000 }, () => b.random())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
  });
  it('randint covers [low, high) evenly', () => {
    const r = new Rng(1);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[r.randint(0, 5)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });
  it('unseeded instances do not share a stream; derived seeds differ', () => {
    expect(new Rng().random()).not.toBe(new Rng().random());
    expect(deriveSeed(0, 1, 2)).not.toBe(deriveSeed(0, 2, 1));
    expect(deriveSeed(0, 1, 2)).toBe(deriveSeed(0, 1, 2));
  });
  it('shuffles into a permutation', () => {
    const xs = shuffleInPlace(Array.from({ length: 50 }, (_, i) => i), new Rng(3));
    expect([...xs].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(xs).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
